// Gradient checks of the shape ops.
// RUN: dlc-gradcheck %s --func=reshape | FileCheck %s
// RUN: dlc-gradcheck %s --func=transpose | FileCheck %s
// RUN: dlc-gradcheck %s --func=broadcast_to | FileCheck %s
// RUN: dlc-gradcheck %s --func=concat | FileCheck %s
// RUN: dlc-gradcheck %s --func=slice | FileCheck %s
// RUN: dlc-gradcheck %s --func=split | FileCheck %s
// CHECK: PASS

func.func @reshape(%x: tensor<?x2x3xf32> {nn.param = "x"}, %w: tensor<?x6xf32>) -> tensor<f32> {
  %r = nn.reshape %x : (tensor<?x2x3xf32>) -> tensor<?x6xf32>
  %q = nn.mul %r, %r : (tensor<?x6xf32>, tensor<?x6xf32>) -> tensor<?x6xf32>
  %p = nn.mul %q, %w : (tensor<?x6xf32>, tensor<?x6xf32>) -> tensor<?x6xf32>
  %l = nn.sum %p : (tensor<?x6xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @transpose(%x: tensor<2x3x4xf32> {nn.param = "x"}, %w: tensor<4x2x3xf32>) -> tensor<f32> {
  %t = nn.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %q = nn.mul %t, %t : (tensor<4x2x3xf32>, tensor<4x2x3xf32>) -> tensor<4x2x3xf32>
  %p = nn.mul %q, %w : (tensor<4x2x3xf32>, tensor<4x2x3xf32>) -> tensor<4x2x3xf32>
  %l = nn.sum %p : (tensor<4x2x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @broadcast_to(%x: tensor<3x1xf32> {nn.param = "x"}, %w: tensor<2x3x4xf32>) -> tensor<f32> {
  %b = nn.broadcast_to %x : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %q = nn.mul %b, %b : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %p = nn.mul %q, %w : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %l = nn.sum %p : (tensor<2x3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @concat(%a: tensor<?x2xf32> {nn.param = "a"}, %b: tensor<?x3xf32> {nn.param = "b"}, %w: tensor<?x5xf32>) -> tensor<f32> {
  %c = nn.concat %a, %b, %a {axis = 1 : i64} : (tensor<?x2xf32>, tensor<?x3xf32>, tensor<?x2xf32>) -> tensor<?x7xf32>
  %q = nn.mul %c, %c : (tensor<?x7xf32>, tensor<?x7xf32>) -> tensor<?x7xf32>
  %s = nn.slice %q {starts = array<i64: 0, 1>, limits = array<i64: -1, 6>, strides = array<i64: 1, 1>} : (tensor<?x7xf32>) -> tensor<?x5xf32>
  %p = nn.mul %s, %w : (tensor<?x5xf32>, tensor<?x5xf32>) -> tensor<?x5xf32>
  %l = nn.sum %p : (tensor<?x5xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @slice(%x: tensor<5x7xf32> {nn.param = "x"}, %w: tensor<2x3xf32>) -> tensor<f32> {
  %s = nn.slice %x {starts = array<i64: 1, 0>, limits = array<i64: 5, 7>, strides = array<i64: 2, 3>} : (tensor<5x7xf32>) -> tensor<2x3xf32>
  %q = nn.mul %s, %s : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %p = nn.mul %q, %w : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %l = nn.sum %p : (tensor<2x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// Three pieces, the middle one unused (its cotangent is zeros).
func.func @split(%x: tensor<?x6x2xf32> {nn.param = "x"}, %w: tensor<?x3x2xf32>) -> tensor<f32> {
  %a, %b, %c = nn.split %x {axis = 1 : i64} : (tensor<?x6x2xf32>) -> (tensor<?x3x2xf32>, tensor<?x1x2xf32>, tensor<?x2x2xf32>)
  %q = nn.mul %a, %a : (tensor<?x3x2xf32>, tensor<?x3x2xf32>) -> tensor<?x3x2xf32>
  %p = nn.mul %q, %w : (tensor<?x3x2xf32>, tensor<?x3x2xf32>) -> tensor<?x3x2xf32>
  %l1 = nn.sum %p : (tensor<?x3x2xf32>) -> tensor<f32>
  %cc = nn.mul %c, %c : (tensor<?x2x2xf32>, tensor<?x2x2xf32>) -> tensor<?x2x2xf32>
  %l2 = nn.sum %cc : (tensor<?x2x2xf32>) -> tensor<f32>
  %l = nn.add %l1, %l2 : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %l : tensor<f32>
}
