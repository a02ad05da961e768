// Gradient checks of upsample_nearest2d (the block sums of
// upsample_nearest2d_grad): scale 2 on odd spatial sizes, scale 3 on a
// non-square input, scale 1 (identity).
// RUN: dlc-gradcheck %s --func=up2 | FileCheck %s
// RUN: dlc-gradcheck %s --func=up3 | FileCheck %s
// RUN: dlc-gradcheck %s --func=up1 | FileCheck %s
// CHECK: PASS

func.func @up2(%x: tensor<2x3x3x5xf32> {nn.param = "x"}, %w: tensor<2x3x6x10xf32>) -> tensor<f32> {
  %y = nn.upsample_nearest2d %x : (tensor<2x3x3x5xf32>) -> tensor<2x3x6x10xf32>
  %p = nn.mul %y, %w : (tensor<2x3x6x10xf32>, tensor<2x3x6x10xf32>) -> tensor<2x3x6x10xf32>
  %l = nn.sum %p : (tensor<2x3x6x10xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @up3(%x: tensor<1x2x2x3xf32> {nn.param = "x"}, %w: tensor<1x2x6x9xf32>) -> tensor<f32> {
  %y = nn.upsample_nearest2d %x {scale = 3 : i64} : (tensor<1x2x2x3xf32>) -> tensor<1x2x6x9xf32>
  %p = nn.mul %y, %w : (tensor<1x2x6x9xf32>, tensor<1x2x6x9xf32>) -> tensor<1x2x6x9xf32>
  %l = nn.sum %p : (tensor<1x2x6x9xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @up1(%x: tensor<2x1x3x3xf32> {nn.param = "x"}, %w: tensor<2x1x3x3xf32>) -> tensor<f32> {
  %y = nn.upsample_nearest2d %x {scale = 1 : i64} : (tensor<2x1x3x3xf32>) -> tensor<2x1x3x3xf32>
  %p = nn.mul %y, %w : (tensor<2x1x3x3xf32>, tensor<2x1x3x3xf32>) -> tensor<2x1x3x3xf32>
  %l = nn.sum %p : (tensor<2x1x3x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
