// Forward semantics of one_hot (out-of-range indices, negative or >= classes,
// give a row of zeros) and of upsample_bilinear2d (PyTorch's
// F.interpolate(mode='bilinear', align_corners=False): the values below are
// what it returns for these inputs) and its gradient (the transpose).
// RUN: dlc-eval %s | FileCheck %s

// CHECK-LABEL: @one_hot
// CHECK-NEXT: result 0: 2x3x4 [0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]
func.func @one_hot() -> tensor<2x3x4xf32> {
  %y = nn.constant dense<[[1, 3, 0], [-1, 4, 2]]> : tensor<2x3xi64>
  %0 = nn.one_hot %y {classes = 4 : i64} : (tensor<2x3xi64>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// CHECK-LABEL: @bilinear
// CHECK-NEXT: result 0: 1x1x4x4 [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4]
// CHECK-NEXT: result 1: 1x1x3x6 [0, 0, 1, 2, 3, 3, 0, 0, 1, 2, 3, 3, 0, 0, 1, 2, 3, 3]
// The gradient of a sum: how much each input pixel contributes in total
// (each output's weights sum to 1, so the total is 16 = 4 * 4).
// CHECK-NEXT: result 2: 1x1x2x2 [4, 4, 4, 4]
func.func @bilinear() -> (tensor<1x1x4x4xf32>, tensor<1x1x3x6xf32>, tensor<1x1x2x2xf32>) {
  %x = nn.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]]]> : tensor<1x1x2x2xf32>
  %0 = nn.upsample_bilinear2d %x {scale = 2 : i64} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  %z = nn.constant dense<[[[[0.0, 3.0]]]]> : tensor<1x1x1x2xf32>
  %1 = nn.upsample_bilinear2d %z {scale = 3 : i64} : (tensor<1x1x1x2xf32>) -> tensor<1x1x3x6xf32>
  %g = nn.constant dense<1.0> : tensor<1x1x4x4xf32>
  %2 = nn.upsample_bilinear2d_grad %g {scale = 2 : i64} : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
  return %0, %1, %2 : tensor<1x1x4x4xf32>, tensor<1x1x3x6xf32>, tensor<1x1x2x2xf32>
}
