// Gradient checks of softplus: the defaults (beta 1, threshold 20: no
// element is above the threshold) and beta 2, threshold 1, where the
// elements with 2 * x > 1 are x itself.
// RUN: dlc-gradcheck %s --func=softplus | FileCheck %s
// RUN: dlc-gradcheck %s --func=softplus_beta | FileCheck %s
// RUN: dlc-gradcheck %s --func=softplus_beta --min=0.6 --max=2 | FileCheck %s
// CHECK: PASS

func.func @softplus(%x: tensor<3x4xf32> {nn.param = "x"}, %w: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.softplus %x : tensor<3x4xf32>
  %p = nn.mul %y, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %l = nn.sum %p : (tensor<3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @softplus_beta(%x: tensor<3x4xf32> {nn.param = "x"}, %w: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.softplus %x {beta = 2.0 : f64, threshold = 1.0 : f64} : tensor<3x4xf32>
  %p = nn.mul %y, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %l = nn.sum %p : (tensor<3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
