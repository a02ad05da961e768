// nn-to-halide on softplus and its gradient (softplus_grad), against the
// reference evaluator, with both groupings and a dynamic batch.
// RUN: dlc-halide-check %s --groups=op | FileCheck %s
// RUN: dlc-halide-check %s --groups=function | FileCheck %s
// RUN: dlc-halide-check %s --grad --groups=op | FileCheck %s
// RUN: dlc-halide-check %s --grad --groups=function --dynamic-size=9 --seed=5 | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: ALL PASS

func.func @softplus(%x: tensor<?x37xf32> {nn.param = "x"}, %w: tensor<?x37xf32>) -> tensor<f32> {
  %y = nn.softplus %x : tensor<?x37xf32>
  %p = nn.mul %y, %w : (tensor<?x37xf32>, tensor<?x37xf32>) -> tensor<?x37xf32>
  %l = nn.sum %p : (tensor<?x37xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @softplus_beta(%x: tensor<?x37xf32> {nn.param = "x"}, %w: tensor<?x37xf32>) -> tensor<f32> {
  %y = nn.softplus %x {beta = 2.0 : f64, threshold = 1.0 : f64} : tensor<?x37xf32>
  %p = nn.mul %y, %w : (tensor<?x37xf32>, tensor<?x37xf32>) -> tensor<?x37xf32>
  %l = nn.sum %p : (tensor<?x37xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
