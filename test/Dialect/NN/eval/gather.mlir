// Forward semantics of gather (numpy.take: the indices' shape replaces the
// axis; an index outside the axis, negative or too large, gives zeros) and
// of gather_grad (a scatter that adds where an index repeats).
// RUN: dlc-eval %s | FileCheck %s

// Rows 2, 0, (out of range: zeros), 2 of a 3x2 table, as a 2x2 index matrix.
// CHECK-LABEL: @rows
// CHECK-NEXT: result 0: 2x2x2 [5, 6, 1, 2, 0, 0, 5, 6]
// Columns 1 and 1 and (negative: zeros) of each row.
// CHECK-NEXT: result 1: 3x3 [2, 2, 0, 4, 4, 0, 6, 6, 0]
// The gradient of the row gather under all-ones: row 2 was read twice, row
// 1 never.
// CHECK-NEXT: result 2: 3x2 [1, 1, 0, 0, 2, 2]
func.func @rows() -> (tensor<2x2x2xf32>, tensor<3x3xf32>, tensor<3x2xf32>) {
  %w = nn.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %ids = nn.constant dense<[[2, 0], [3, 2]]> : tensor<2x2xi64>
  %0 = nn.gather %w, %ids {axis = 0 : i64} : (tensor<3x2xf32>, tensor<2x2xi64>) -> tensor<2x2x2xf32>
  %cols = nn.constant dense<[1, 1, -1]> : tensor<3xi32>
  %1 = nn.gather %w, %cols {axis = 1 : i64} : (tensor<3x2xf32>, tensor<3xi32>) -> tensor<3x3xf32>
  %g = nn.constant dense<1.0> : tensor<2x2x2xf32>
  %2 = nn.gather_grad %g, %ids, %w {axis = 0 : i64} : (tensor<2x2x2xf32>, tensor<2x2xi64>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %0, %1, %2 : tensor<2x2x2xf32>, tensor<3x3xf32>, tensor<3x2xf32>
}
