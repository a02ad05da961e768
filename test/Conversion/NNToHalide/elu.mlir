// nn-to-halide on elu and its gradient (elu_grad), against the reference
// evaluator, with both groupings, odd shapes and a dynamic batch.
// RUN: dlc-halide-check %s --groups=op | FileCheck %s
// RUN: dlc-halide-check %s --groups=function | FileCheck %s
// RUN: dlc-halide-check %s --grad --groups=op | FileCheck %s
// RUN: dlc-halide-check %s --grad --groups=function --dynamic-size=9 --seed=5 | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: ALL PASS

func.func @elu(%x: tensor<?x37xf32> {nn.param = "x"}, %w: tensor<?x37xf32>) -> tensor<f32> {
  %y = nn.elu %x : tensor<?x37xf32>
  %p = nn.mul %y, %w : (tensor<?x37xf32>, tensor<?x37xf32>) -> tensor<?x37xf32>
  %l = nn.sum %p : (tensor<?x37xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @elu_alpha(%x: tensor<3x5x7xf32> {nn.param = "x"}, %w: tensor<3x5x7xf32>) -> tensor<f32> {
  %y = nn.elu %x {alpha = 0.3 : f64} : tensor<3x5x7xf32>
  %p = nn.mul %y, %w : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  %l = nn.sum %p : (tensor<3x5x7xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
