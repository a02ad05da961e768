// Forward semantics of conv_transpose2d, as PyTorch's conv_transpose2d:
// each input pixel adds weight * value at (stride * position - padding),
// computed by hand for a 2x2 input and a diagonal 2x2 kernel.
// RUN: dlc-eval %s | FileCheck %s

// CHECK-LABEL: @conv_transpose
// CHECK-NEXT: result 0: 1x1x3x3 [1, 2, 0, 3, 5, 2, 0, 3, 4]
// CHECK-NEXT: result 1: 1x1x4x4 [1, 0, 2, 0, 0, 1, 0, 2, 3, 0, 4, 0, 0, 3, 0, 4]
// CHECK-NEXT: result 2: 1x1x1x1 [5]
// CHECK-NEXT: result 3: 1x1x3x3 [1, 0, 2, 0, 4, 0, 3, 0, 4]
// CHECK-NEXT: result 4: 1x2x3x3 [1, 2, 0, 3, 5, 2, 0, 3, 4, 2, 4, 0, 6, 10, 4, 0, 6, 8]
func.func @conv_transpose() -> (tensor<1x1x3x3xf32>, tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>, tensor<1x1x3x3xf32>, tensor<1x2x3x3xf32>) {
  %x = nn.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]]]> : tensor<1x1x2x2xf32>
  %w = nn.constant dense<[[[[1.0, 0.0], [0.0, 1.0]]]]> : tensor<1x1x2x2xf32>
  %w2 = nn.constant dense<[[[[1.0, 0.0], [0.0, 1.0]], [[2.0, 0.0], [0.0, 2.0]]]]> : tensor<1x2x2x2xf32>
  %0 = nn.conv_transpose2d %x, %w : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32>
  %1 = nn.conv_transpose2d %x, %w {stride = array<i64: 2, 2>} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  %2 = nn.conv_transpose2d %x, %w {padding = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x1x1xf32>
  %3 = nn.conv_transpose2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, output_padding = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32>
  %4 = nn.conv_transpose2d %x, %w2 : (tensor<1x1x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x3x3xf32>
  return %0, %1, %2, %3, %4 : tensor<1x1x3x3xf32>, tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>, tensor<1x1x3x3xf32>, tensor<1x2x3x3xf32>
}
