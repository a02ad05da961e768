// Forward semantics of upsample_nearest2d in the reference evaluator:
// out[n, c, h, w] = x[n, c, h / scale, w / scale]; and its gradient helper,
// the sum of each scale x scale block.
// RUN: dlc-eval %s | FileCheck %s

// CHECK-LABEL: @upsample
// CHECK-NEXT: result 0: 1x1x4x6 [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6]
// CHECK-NEXT: result 1: 1x1x2x3 [1, 2, 3, 4, 5, 6]
// CHECK-NEXT: result 2: 1x1x2x2 [14, 22, 46, 54]
func.func @upsample() -> (tensor<1x1x4x6xf32>, tensor<1x1x2x3xf32>, tensor<1x1x2x2xf32>) {
  %x = nn.constant dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]]> : tensor<1x1x2x3xf32>
  %0 = nn.upsample_nearest2d %x : (tensor<1x1x2x3xf32>) -> tensor<1x1x4x6xf32>
  %1 = nn.upsample_nearest2d %x {scale = 1 : i64} : (tensor<1x1x2x3xf32>) -> tensor<1x1x2x3xf32>
  %g = nn.constant dense<[[[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0], [13.0, 14.0, 15.0, 16.0]]]]> : tensor<1x1x4x4xf32>
  %2 = nn.upsample_nearest2d_grad %g : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
  return %0, %1, %2 : tensor<1x1x4x6xf32>, tensor<1x1x2x3xf32>, tensor<1x1x2x2xf32>
}
