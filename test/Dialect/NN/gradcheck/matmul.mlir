// Gradient checks of matmul: plain, batched, and with broadcast batch dims.
// RUN: dlc-gradcheck %s --func=matmul | FileCheck %s
// RUN: dlc-gradcheck %s --func=batched | FileCheck %s
// RUN: dlc-gradcheck %s --func=broadcast | FileCheck %s
// CHECK: PASS

func.func @matmul(%a: tensor<?x4xf32> {nn.param = "a"}, %b: tensor<4x3xf32> {nn.param = "b"}, %w: tensor<?x3xf32>) -> tensor<f32> {
  %y = nn.matmul %a, %b : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %p = nn.mul %y, %w : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %q = nn.mul %p, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %l = nn.sum %q : (tensor<?x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @batched(%a: tensor<2x3x4xf32> {nn.param = "a"}, %b: tensor<2x4x5xf32> {nn.param = "b"}, %w: tensor<2x3x5xf32>) -> tensor<f32> {
  %y = nn.matmul %a, %b : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  %p = nn.mul %y, %w : (tensor<2x3x5xf32>, tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
  %l = nn.sum %p : (tensor<2x3x5xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @broadcast(%a: tensor<2x1x3x4xf32> {nn.param = "a"}, %b: tensor<3x4x2xf32> {nn.param = "b"}, %w: tensor<2x3x3x2xf32>) -> tensor<f32> {
  %y = nn.matmul %a, %b : (tensor<2x1x3x4xf32>, tensor<3x4x2xf32>) -> tensor<2x3x3x2xf32>
  %p = nn.mul %y, %w : (tensor<2x3x3x2xf32>, tensor<2x3x3x2xf32>) -> tensor<2x3x3x2xf32>
  %q = nn.mul %p, %y : (tensor<2x3x3x2xf32>, tensor<2x3x3x2xf32>) -> tensor<2x3x3x2xf32>
  %l = nn.sum %q : (tensor<2x3x3x2xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
