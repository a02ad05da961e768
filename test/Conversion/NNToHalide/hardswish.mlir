// nn-to-halide on hardswish and its gradient (hardswish_grad), against the
// reference evaluator, with both groupings, odd shapes and a dynamic batch.
// The inputs are scaled by 5 so that all three branches are taken.
// RUN: dlc-halide-check %s --groups=op | FileCheck %s
// RUN: dlc-halide-check %s --groups=function | FileCheck %s
// RUN: dlc-halide-check %s --grad --groups=op | FileCheck %s
// RUN: dlc-halide-check %s --grad --groups=function --dynamic-size=9 --seed=5 | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: ALL PASS

func.func @hardswish(%x: tensor<?x37xf32> {nn.param = "x"}, %w: tensor<?x37xf32>) -> tensor<f32> {
  %c = nn.constant dense<5.0> : tensor<f32>
  %s = nn.mul %x, %c : (tensor<?x37xf32>, tensor<f32>) -> tensor<?x37xf32>
  %y = nn.hardswish %s : tensor<?x37xf32>
  %p = nn.mul %y, %w : (tensor<?x37xf32>, tensor<?x37xf32>) -> tensor<?x37xf32>
  %l = nn.sum %p : (tensor<?x37xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @hardswish_3d(%x: tensor<3x5x7xf32> {nn.param = "x"}, %w: tensor<3x5x7xf32>) -> tensor<f32> {
  %c = nn.constant dense<5.0> : tensor<f32>
  %s = nn.mul %x, %c : (tensor<3x5x7xf32>, tensor<f32>) -> tensor<3x5x7xf32>
  %y = nn.hardswish %s : tensor<3x5x7xf32>
  %p = nn.mul %y, %w : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  %l = nn.sum %p : (tensor<3x5x7xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
