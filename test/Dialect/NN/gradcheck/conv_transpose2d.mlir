// Gradient checks of conv_transpose2d (its VJPs are a conv2d for the input
// and a conv2d_grad_weight for the weight): stride 2 with padding and
// output padding, groups and dilation, a non-square kernel.
// RUN: dlc-gradcheck %s --func=ct_stride --wrt-inputs | FileCheck %s
// RUN: dlc-gradcheck %s --func=ct_groups --wrt-inputs | FileCheck %s
// RUN: dlc-gradcheck %s --func=ct_rect --wrt-inputs | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: PASS

func.func @ct_stride(%x: tensor<2x3x4x5xf32>, %w: tensor<3x2x3x3xf32> {nn.param = "w"}, %m: tensor<2x2x8x10xf32>) -> tensor<f32> {
  %y = nn.conv_transpose2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, output_padding = array<i64: 1, 1>} : (tensor<2x3x4x5xf32>, tensor<3x2x3x3xf32>) -> tensor<2x2x8x10xf32>
  %p = nn.mul %y, %m : (tensor<2x2x8x10xf32>, tensor<2x2x8x10xf32>) -> tensor<2x2x8x10xf32>
  %q = nn.mul %p, %y : (tensor<2x2x8x10xf32>, tensor<2x2x8x10xf32>) -> tensor<2x2x8x10xf32>
  %l = nn.sum %q : (tensor<2x2x8x10xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @ct_groups(%x: tensor<1x4x3x3xf32>, %w: tensor<4x3x2x2xf32> {nn.param = "w"}, %m: tensor<1x6x5x5xf32>) -> tensor<f32> {
  %y = nn.conv_transpose2d %x, %w {groups = 2 : i64, dilation = array<i64: 2, 2>} : (tensor<1x4x3x3xf32>, tensor<4x3x2x2xf32>) -> tensor<1x6x5x5xf32>
  %p = nn.mul %y, %m : (tensor<1x6x5x5xf32>, tensor<1x6x5x5xf32>) -> tensor<1x6x5x5xf32>
  %l = nn.sum %p : (tensor<1x6x5x5xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @ct_rect(%x: tensor<2x2x3x4xf32>, %w: tensor<2x3x2x3xf32> {nn.param = "w"}, %m: tensor<2x3x8x8xf32>) -> tensor<f32> {
  %y = nn.conv_transpose2d %x, %w {stride = array<i64: 3, 2>, padding = array<i64: 1, 1>, output_padding = array<i64: 2, 1>} : (tensor<2x2x3x4xf32>, tensor<2x3x2x3xf32>) -> tensor<2x3x8x8xf32>
  %p = nn.mul %y, %m : (tensor<2x3x8x8xf32>, tensor<2x3x8x8xf32>) -> tensor<2x3x8x8xf32>
  %l = nn.sum %p : (tensor<2x3x8x8xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
