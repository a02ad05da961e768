// Gradient checks of pad (its VJP is the slice that drops the padding) and
// flip (its own VJP): padding on some axes only, a non-zero pad value,
// flips of one and of two axes.
// RUN: dlc-gradcheck %s --func=pad | FileCheck %s
// RUN: dlc-gradcheck %s --func=pad_value | FileCheck %s
// RUN: dlc-gradcheck %s --func=flip1 | FileCheck %s
// RUN: dlc-gradcheck %s --func=flip2 | FileCheck %s
// CHECK: PASS

func.func @pad(%x: tensor<2x3x3x5xf32> {nn.param = "x"}, %w: tensor<2x3x6x6xf32>) -> tensor<f32> {
  %y = nn.pad %x {before = array<i64: 0, 0, 1, 0>, after = array<i64: 0, 0, 2, 1>} : (tensor<2x3x3x5xf32>) -> tensor<2x3x6x6xf32>
  %p = nn.mul %y, %w : (tensor<2x3x6x6xf32>, tensor<2x3x6x6xf32>) -> tensor<2x3x6x6xf32>
  %q = nn.mul %p, %y : (tensor<2x3x6x6xf32>, tensor<2x3x6x6xf32>) -> tensor<2x3x6x6xf32>
  %l = nn.sum %q : (tensor<2x3x6x6xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @pad_value(%x: tensor<4x3xf32> {nn.param = "x"}, %w: tensor<4x7xf32>) -> tensor<f32> {
  %y = nn.pad %x {before = array<i64: 0, 2>, after = array<i64: 0, 2>, value = 1.5 : f64} : (tensor<4x3xf32>) -> tensor<4x7xf32>
  %p = nn.mul %y, %w : (tensor<4x7xf32>, tensor<4x7xf32>) -> tensor<4x7xf32>
  %e = nn.exp %p : tensor<4x7xf32>
  %l = nn.sum %e : (tensor<4x7xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @flip1(%x: tensor<2x5xf32> {nn.param = "x"}, %w: tensor<2x5xf32>) -> tensor<f32> {
  %y = nn.flip %x {axes = array<i64: 1>} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  %p = nn.mul %y, %w : (tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<2x5xf32>
  %q = nn.mul %p, %x : (tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<2x5xf32>
  %l = nn.sum %q : (tensor<2x5xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @flip2(%x: tensor<2x1x3x4xf32> {nn.param = "x"}, %w: tensor<2x1x3x4xf32>) -> tensor<f32> {
  %y = nn.flip %x {axes = array<i64: 2, 3>} : (tensor<2x1x3x4xf32>) -> tensor<2x1x3x4xf32>
  %p = nn.mul %y, %w : (tensor<2x1x3x4xf32>, tensor<2x1x3x4xf32>) -> tensor<2x1x3x4xf32>
  %l = nn.sum %p : (tensor<2x1x3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
