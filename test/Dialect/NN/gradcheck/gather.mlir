// Gradient checks of gather (its VJP gather_grad scatters the cotangent back,
// adding where an index repeats): a table read along axis 0 by a batch of
// indices (an embedding; 9 index values for 7 rows, so repeats and
// out-of-range indices both occur), a batched tensor read along a middle axis
// by a static index matrix, and the last axis of a matrix.
// RUN: dlc-gradcheck %s --func=table --num-classes=9 | FileCheck %s
// RUN: dlc-gradcheck %s --func=middle --num-classes=6 | FileCheck %s
// RUN: dlc-gradcheck %s --func=last --num-classes=5 | FileCheck %s
// CHECK: PASS

func.func @table(%ids: tensor<?x4xi64>, %e: tensor<7x5xf32> {nn.param = "e"}, %c: tensor<?x4x5xf32>) -> tensor<f32> {
  %v = nn.gather %e, %ids {axis = 0 : i64} : (tensor<7x5xf32>, tensor<?x4xi64>) -> tensor<?x4x5xf32>
  %p = nn.mul %v, %c : (tensor<?x4x5xf32>, tensor<?x4x5xf32>) -> tensor<?x4x5xf32>
  %q = nn.mul %p, %v : (tensor<?x4x5xf32>, tensor<?x4x5xf32>) -> tensor<?x4x5xf32>
  %l = nn.sum %q : (tensor<?x4x5xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @middle(%x: tensor<?x6x3xf32> {nn.param = "x"}, %ids: tensor<2x5xi64>, %c: tensor<?x2x5x3xf32>) -> tensor<f32> {
  %v = nn.gather %x, %ids {axis = 1 : i64} : (tensor<?x6x3xf32>, tensor<2x5xi64>) -> tensor<?x2x5x3xf32>
  %p = nn.mul %v, %c : (tensor<?x2x5x3xf32>, tensor<?x2x5x3xf32>) -> tensor<?x2x5x3xf32>
  %q = nn.mul %p, %v : (tensor<?x2x5x3xf32>, tensor<?x2x5x3xf32>) -> tensor<?x2x5x3xf32>
  %l = nn.sum %q : (tensor<?x2x5x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @last(%x: tensor<4x3xf32> {nn.param = "x"}, %ids: tensor<6xi64>, %c: tensor<4x6xf32>) -> tensor<f32> {
  %v = nn.gather %x, %ids {axis = 1 : i64} : (tensor<4x3xf32>, tensor<6xi64>) -> tensor<4x6xf32>
  %p = nn.mul %v, %c : (tensor<4x6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  %q = nn.mul %p, %v : (tensor<4x6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  %l = nn.sum %q : (tensor<4x6xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
