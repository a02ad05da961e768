// Gradient checks of elu on both sides of its kink at 0 (samples have
// magnitude >= 0.1, so none is near it), with the default alpha and with
// alpha 0.5 (where the slopes do not meet at 0), and farther out.
// RUN: dlc-gradcheck %s --func=elu | FileCheck %s
// RUN: dlc-gradcheck %s --func=elu_alpha | FileCheck %s
// RUN: dlc-gradcheck %s --func=elu_alpha --min=1 --max=4 --seed=3 | FileCheck %s
// CHECK: PASS

func.func @elu(%x: tensor<3x4xf32> {nn.param = "x"}, %w: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.elu %x : tensor<3x4xf32>
  %p = nn.mul %y, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %l = nn.sum %p : (tensor<3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @elu_alpha(%x: tensor<3x4xf32> {nn.param = "x"}, %w: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.elu %x {alpha = 0.5 : f64} : tensor<3x4xf32>
  %p = nn.mul %y, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %l = nn.sum %p : (tensor<3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
