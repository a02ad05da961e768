// Gradient checks of batch normalisation (batch and running statistics).
// RUN: dlc-gradcheck %s --func=train4d | FileCheck %s
// RUN: dlc-gradcheck %s --func=train2d | FileCheck %s
// RUN: dlc-gradcheck %s --func=infer --positive | FileCheck %s
// CHECK: PASS

func.func @train4d(%x: tensor<?x3x2x2xf32> {nn.param = "x"}, %g: tensor<3xf32> {nn.param = "gamma"}, %b: tensor<3xf32> {nn.param = "beta"}, %c: tensor<?x3x2x2xf32>) -> tensor<f32> {
  %y, %m, %v = nn.batch_norm_train %x, %g, %b : (tensor<?x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>)
  %q = nn.mul %y, %y : (tensor<?x3x2x2xf32>, tensor<?x3x2x2xf32>) -> tensor<?x3x2x2xf32>
  %p = nn.mul %q, %c : (tensor<?x3x2x2xf32>, tensor<?x3x2x2xf32>) -> tensor<?x3x2x2xf32>
  %l = nn.sum %p : (tensor<?x3x2x2xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @train2d(%x: tensor<5x4xf32> {nn.param = "x"}, %g: tensor<4xf32> {nn.param = "gamma"}, %b: tensor<4xf32> {nn.param = "beta"}, %c: tensor<5x4xf32>) -> tensor<f32> {
  %y, %m, %v = nn.batch_norm_train %x, %g, %b {epsilon = 1.0e-3 : f64} : (tensor<5x4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<5x4xf32>, tensor<4xf32>, tensor<4xf32>)
  %p = nn.mul %y, %c : (tensor<5x4xf32>, tensor<5x4xf32>) -> tensor<5x4xf32>
  %l = nn.sum %p : (tensor<5x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// The running statistics get no gradient (they are not nn.param here);
// --positive keeps the running variance positive.
func.func @infer(%x: tensor<2x3x2x2xf32> {nn.param = "x"}, %g: tensor<3xf32> {nn.param = "gamma"}, %b: tensor<3xf32> {nn.param = "beta"}, %rm: tensor<3xf32>, %rv: tensor<3xf32>, %c: tensor<2x3x2x2xf32>) -> tensor<f32> {
  %y = nn.batch_norm_infer %x, %g, %b, %rm, %rv : (tensor<2x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x2x2xf32>
  %q = nn.mul %y, %y : (tensor<2x3x2x2xf32>, tensor<2x3x2x2xf32>) -> tensor<2x3x2x2xf32>
  %p = nn.mul %q, %c : (tensor<2x3x2x2xf32>, tensor<2x3x2x2xf32>) -> tensor<2x3x2x2xf32>
  %l = nn.sum %p : (tensor<2x3x2x2xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// The batch statistics used downstream are differentiated too.
// RUN: dlc-gradcheck %s --func=stats | FileCheck %s
func.func @stats(%x: tensor<?x3x2x2xf32> {nn.param = "x"}, %g: tensor<3xf32> {nn.param = "gamma"}, %b: tensor<3xf32>, %c: tensor<?x3x2x2xf32>, %wm: tensor<3xf32>, %wv: tensor<3xf32>) -> tensor<f32> {
  %y, %m, %v = nn.batch_norm_train %x, %g, %b : (tensor<?x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>)
  %p = nn.mul %y, %c : (tensor<?x3x2x2xf32>, tensor<?x3x2x2xf32>) -> tensor<?x3x2x2xf32>
  %s = nn.sum %p : (tensor<?x3x2x2xf32>) -> tensor<f32>
  %pm = nn.mul %m, %wm : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %pv = nn.mul %v, %wv : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %sm = nn.sum %pm : (tensor<3xf32>) -> tensor<f32>
  %sv = nn.sum %pv : (tensor<3xf32>) -> tensor<f32>
  %t = nn.add %s, %sm : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %l = nn.add %t, %sv : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %l : tensor<f32>
}

// Only the statistics reach the loss (no cotangent for y).
// RUN: dlc-gradcheck %s --func=stats_only | FileCheck %s
func.func @stats_only(%x: tensor<4x2xf32> {nn.param = "x"}, %g: tensor<2xf32>, %b: tensor<2xf32>, %wv: tensor<2xf32>) -> tensor<f32> {
  %y, %m, %v = nn.batch_norm_train %x, %g, %b : (tensor<4x2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<4x2xf32>, tensor<2xf32>, tensor<2xf32>)
  %q = nn.mul %m, %m : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %pv = nn.mul %v, %wv : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %r = nn.add %q, %pv : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %l = nn.sum %r : (tensor<2xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
