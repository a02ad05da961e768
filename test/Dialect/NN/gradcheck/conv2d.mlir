// Gradient checks of conv2d: bias, stride, padding, dilation, groups.
// RUN: dlc-gradcheck %s --func=conv | FileCheck %s
// RUN: dlc-gradcheck %s --func=conv_strided | FileCheck %s
// RUN: dlc-gradcheck %s --func=conv_grouped --wrt-inputs | FileCheck %s
// CHECK: PASS

func.func @conv(%x: tensor<?x2x5x5xf32> {nn.param = "x"}, %w: tensor<3x2x3x3xf32> {nn.param = "w"}, %b: tensor<3xf32> {nn.param = "b"}, %c: tensor<?x3x5x5xf32>) -> tensor<f32> {
  %y = nn.conv2d %x, %w, %b {padding = array<i64: 1, 1>} : (tensor<?x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<?x3x5x5xf32>
  %q = nn.mul %y, %y : (tensor<?x3x5x5xf32>, tensor<?x3x5x5xf32>) -> tensor<?x3x5x5xf32>
  %p = nn.mul %q, %c : (tensor<?x3x5x5xf32>, tensor<?x3x5x5xf32>) -> tensor<?x3x5x5xf32>
  %l = nn.sum %p : (tensor<?x3x5x5xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @conv_strided(%x: tensor<2x2x7x6xf32> {nn.param = "x"}, %w: tensor<2x2x3x2xf32> {nn.param = "w"}, %c: tensor<2x2x3x3xf32>) -> tensor<f32> {
  %y = nn.conv2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 0>, dilation = array<i64: 2, 1>} : (tensor<2x2x7x6xf32>, tensor<2x2x3x2xf32>) -> tensor<2x2x3x3xf32>
  %p = nn.mul %y, %c : (tensor<2x2x3x3xf32>, tensor<2x2x3x3xf32>) -> tensor<2x2x3x3xf32>
  %l = nn.sum %p : (tensor<2x2x3x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @conv_grouped(%x: tensor<1x4x4x4xf32>, %w: tensor<6x2x2x2xf32>, %b: tensor<6xf32>, %c: tensor<1x6x3x3xf32> {nn.param = "c"}) -> tensor<f32> {
  %y = nn.conv2d %x, %w, %b {groups = 2 : i64} : (tensor<1x4x4x4xf32>, tensor<6x2x2x2xf32>, tensor<6xf32>) -> tensor<1x6x3x3xf32>
  %q = nn.mul %y, %y : (tensor<1x6x3x3xf32>, tensor<1x6x3x3xf32>) -> tensor<1x6x3x3xf32>
  %p = nn.mul %q, %c : (tensor<1x6x3x3xf32>, tensor<1x6x3x3xf32>) -> tensor<1x6x3x3xf32>
  %l = nn.sum %p : (tensor<1x6x3x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
