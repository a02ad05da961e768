// Gradient checks of the differentiable helper ops (the adjoint pair
// sum_to / broadcast_like, and the shape-only count, sign, zeros_like).
// RUN: dlc-gradcheck %s --func=sum_to | FileCheck %s
// RUN: dlc-gradcheck %s --func=broadcast_like | FileCheck %s
// RUN: dlc-gradcheck %s --func=broadcast_like_axes | FileCheck %s
// RUN: dlc-gradcheck %s --func=shape_only | FileCheck %s
// CHECK: PASS

func.func @sum_to(%x: tensor<2x3x4xf32> {nn.param = "x"}, %r: tensor<3x1xf32>, %w: tensor<3x1xf32>) -> tensor<f32> {
  %s = nn.sum_to %x, %r : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<3x1xf32>
  %q = nn.mul %s, %s : (tensor<3x1xf32>, tensor<3x1xf32>) -> tensor<3x1xf32>
  %p = nn.mul %q, %w : (tensor<3x1xf32>, tensor<3x1xf32>) -> tensor<3x1xf32>
  %l = nn.sum %p : (tensor<3x1xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @broadcast_like(%x: tensor<3x1xf32> {nn.param = "x"}, %r: tensor<?x3x4xf32>) -> tensor<f32> {
  %b = nn.broadcast_like %x, %r : (tensor<3x1xf32>, tensor<?x3x4xf32>) -> tensor<?x3x4xf32>
  %q = nn.mul %b, %b : (tensor<?x3x4xf32>, tensor<?x3x4xf32>) -> tensor<?x3x4xf32>
  %p = nn.mul %q, %r : (tensor<?x3x4xf32>, tensor<?x3x4xf32>) -> tensor<?x3x4xf32>
  %l = nn.sum %p : (tensor<?x3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @broadcast_like_axes(%x: tensor<?x4xf32> {nn.param = "x"}, %r: tensor<?x3x4xf32>) -> tensor<f32> {
  %b = nn.broadcast_like %x, %r {axes = array<i64: 1>} : (tensor<?x4xf32>, tensor<?x3x4xf32>) -> tensor<?x3x4xf32>
  %q = nn.mul %b, %b : (tensor<?x3x4xf32>, tensor<?x3x4xf32>) -> tensor<?x3x4xf32>
  %p = nn.mul %q, %r : (tensor<?x3x4xf32>, tensor<?x3x4xf32>) -> tensor<?x3x4xf32>
  %l = nn.sum %p : (tensor<?x3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// count and zeros_like read only the shape, sign is piecewise constant: the
// gradient is that of the remaining terms.
func.func @shape_only(%x: tensor<?x4xf32> {nn.param = "x"}) -> tensor<f32> {
  %n = nn.count %x : (tensor<?x4xf32>) -> tensor<f32>
  %s = nn.sign %x : tensor<?x4xf32>
  %z = nn.zeros_like %x : tensor<?x4xf32>
  %a = nn.mul %x, %s : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %b = nn.add %a, %z : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %q = nn.mul %b, %b : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %t = nn.sum %q : (tensor<?x4xf32>) -> tensor<f32>
  %l = nn.div %t, %n : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %l : tensor<f32>
}
