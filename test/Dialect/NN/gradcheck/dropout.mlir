// Gradient check of dropout: the mask is a pure function of the seed.
// RUN: dlc-gradcheck %s | FileCheck %s
// CHECK: PASS

func.func @dropout(%x: tensor<4x8xf32> {nn.param = "x"}, %seed: tensor<i64>, %c: tensor<4x8xf32>) -> tensor<f32> {
  %y = nn.dropout %x, %seed {p = 0.5 : f64} : (tensor<4x8xf32>, tensor<i64>) -> tensor<4x8xf32>
  %q = nn.mul %y, %y : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %p = nn.mul %q, %c : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %l = nn.sum %p : (tensor<4x8xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
