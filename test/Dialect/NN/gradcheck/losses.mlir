// Gradient checks of the losses.
// RUN: dlc-gradcheck %s --func=mse | FileCheck %s
// RUN: dlc-gradcheck %s --func=l1 | FileCheck %s
// RUN: dlc-gradcheck %s --func=bce --positive --max=0.9 | FileCheck %s
// RUN: dlc-gradcheck %s --func=bce_with_logits | FileCheck %s
// RUN: dlc-gradcheck %s --func=cross_entropy --num-classes=4 | FileCheck %s
// RUN: dlc-gradcheck %s --func=cross_entropy_weighted --num-classes=4 --positive | FileCheck %s
// RUN: dlc-gradcheck %s --func=nll --num-classes=4 | FileCheck %s
// CHECK: PASS

func.func @mse(%p: tensor<?x3xf32> {nn.param = "p"}, %t: tensor<?x3xf32> {nn.param = "t"}) -> tensor<f32> {
  %l = nn.mse %p, %t : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @l1(%p: tensor<?x3xf32> {nn.param = "p"}, %t: tensor<?x3xf32> {nn.param = "t"}) -> tensor<f32> {
  %l = nn.l1 %p, %t : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @bce(%p: tensor<?x1xf32> {nn.param = "p"}, %t: tensor<?x1xf32> {nn.param = "t"}) -> tensor<f32> {
  %l = nn.bce %p, %t : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @bce_with_logits(%z: tensor<?x2xf32> {nn.param = "z"}, %t: tensor<?x2xf32> {nn.param = "t"}) -> tensor<f32> {
  %l = nn.bce_with_logits %z, %t : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @cross_entropy(%z: tensor<?x4xf32> {nn.param = "z"}, %y: tensor<?xi64>) -> tensor<f32> {
  %l = nn.cross_entropy %z, %y : (tensor<?x4xf32>, tensor<?xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @cross_entropy_weighted(%z: tensor<5x4xf32> {nn.param = "z"}, %y: tensor<5xi64>, %w: tensor<4xf32>) -> tensor<f32> {
  %l = nn.cross_entropy %z, %y, %w {label_smoothing = 0.1 : f64} : (tensor<5x4xf32>, tensor<5xi64>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @nll(%z: tensor<?x4xf32> {nn.param = "z"}, %y: tensor<?xi64>, %w: tensor<4xf32>) -> tensor<f32> {
  %lp = nn.log_softmax %z {axis = 1 : i64} : tensor<?x4xf32>
  %l = nn.nll %lp, %y, %w : (tensor<?x4xf32>, tensor<?xi64>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
