// Gradient checks of upsample_bilinear2d (its VJP upsample_bilinear2d_grad
// is the transposed interpolation) at scales 1, 2 and 3 on odd sizes, and of
// one_hot in a non-input position: one_hot(y) @ w is an embedding lookup,
// whose gradient reaches w (the indices get none).
// RUN: dlc-gradcheck %s --func=bilinear2 | FileCheck %s
// RUN: dlc-gradcheck %s --func=bilinear3 | FileCheck %s
// RUN: dlc-gradcheck %s --func=bilinear1 | FileCheck %s
// RUN: dlc-gradcheck %s --func=embed --num-classes=7 | FileCheck %s
// CHECK: PASS

func.func @bilinear2(%x: tensor<2x3x3x5xf32> {nn.param = "x"}, %w: tensor<2x3x6x10xf32>) -> tensor<f32> {
  %y = nn.upsample_bilinear2d %x {scale = 2 : i64} : (tensor<2x3x3x5xf32>) -> tensor<2x3x6x10xf32>
  %p = nn.mul %y, %w : (tensor<2x3x6x10xf32>, tensor<2x3x6x10xf32>) -> tensor<2x3x6x10xf32>
  %q = nn.mul %p, %y : (tensor<2x3x6x10xf32>, tensor<2x3x6x10xf32>) -> tensor<2x3x6x10xf32>
  %l = nn.sum %q : (tensor<2x3x6x10xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @bilinear3(%x: tensor<1x2x1x4xf32> {nn.param = "x"}, %w: tensor<1x2x3x12xf32>) -> tensor<f32> {
  %y = nn.upsample_bilinear2d %x {scale = 3 : i64} : (tensor<1x2x1x4xf32>) -> tensor<1x2x3x12xf32>
  %p = nn.mul %y, %w : (tensor<1x2x3x12xf32>, tensor<1x2x3x12xf32>) -> tensor<1x2x3x12xf32>
  %e = nn.exp %p : tensor<1x2x3x12xf32>
  %l = nn.sum %e : (tensor<1x2x3x12xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @bilinear1(%x: tensor<1x1x3x3xf32> {nn.param = "x"}, %w: tensor<1x1x3x3xf32>) -> tensor<f32> {
  %y = nn.upsample_bilinear2d %x {scale = 1 : i64} : (tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  %p = nn.mul %y, %w : (tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  %q = nn.mul %p, %y : (tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  %l = nn.sum %q : (tensor<1x1x3x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @embed(%ids: tensor<3x4xi64>, %e: tensor<7x5xf32> {nn.param = "e"}, %c: tensor<3x4x5xf32>) -> tensor<f32> {
  %h = nn.one_hot %ids {classes = 7 : i64} : (tensor<3x4xi64>) -> tensor<3x4x7xf32>
  %v = nn.matmul %h, %e : (tensor<3x4x7xf32>, tensor<7x5xf32>) -> tensor<3x4x5xf32>
  %p = nn.mul %v, %c : (tensor<3x4x5xf32>, tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  %q = nn.mul %p, %v : (tensor<3x4x5xf32>, tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  %l = nn.sum %q : (tensor<3x4x5xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
