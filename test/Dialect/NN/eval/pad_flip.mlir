// Forward semantics of pad and flip in the reference evaluator.
// RUN: dlc-eval %s | FileCheck %s

// CHECK-LABEL: @pad_flip
// CHECK-NEXT: result 0: 2x5 [0, 1, 2, 3, 0, 0, 4, 5, 6, 0]
// CHECK-NEXT: result 1: 4x3 [-1, -1, -1, 1, 2, 3, 4, 5, 6, -1, -1, -1]
// CHECK-NEXT: result 2: 2x3 [3, 2, 1, 6, 5, 4]
// CHECK-NEXT: result 3: 2x3 [6, 5, 4, 3, 2, 1]
func.func @pad_flip() -> (tensor<2x5xf32>, tensor<4x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %x = nn.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = nn.pad %x {before = array<i64: 0, 1>, after = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x5xf32>
  %1 = nn.pad %x {before = array<i64: 1, 0>, after = array<i64: 1, 0>, value = -1.0 : f64} : (tensor<2x3xf32>) -> tensor<4x3xf32>
  %2 = nn.flip %x {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = nn.flip %x {axes = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1, %2, %3 : tensor<2x5xf32>, tensor<4x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}
