// Gradient checks of sum, mean and max, with and without keepdims.
// RUN: dlc-gradcheck %s --func=sum | FileCheck %s
// RUN: dlc-gradcheck %s --func=mean | FileCheck %s
// RUN: dlc-gradcheck %s --func=max | FileCheck %s
// RUN: dlc-gradcheck %s --func=mean_all | FileCheck %s
// CHECK: PASS

func.func @sum(%x: tensor<?x3x4xf32> {nn.param = "x"}, %w: tensor<?x4xf32>) -> tensor<f32> {
  %s = nn.sum %x {axes = array<i64: 1>} : (tensor<?x3x4xf32>) -> tensor<?x4xf32>
  %q = nn.mul %s, %s : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %p = nn.mul %q, %w : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %l = nn.sum %p : (tensor<?x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @mean(%x: tensor<?x3x4xf32> {nn.param = "x"}, %w: tensor<1x3x1xf32>) -> tensor<f32> {
  %s = nn.mean %x {axes = array<i64: 0, 2>, keepdims = true} : (tensor<?x3x4xf32>) -> tensor<1x3x1xf32>
  %q = nn.mul %s, %s : (tensor<1x3x1xf32>, tensor<1x3x1xf32>) -> tensor<1x3x1xf32>
  %p = nn.mul %q, %w : (tensor<1x3x1xf32>, tensor<1x3x1xf32>) -> tensor<1x3x1xf32>
  %l = nn.sum %p : (tensor<1x3x1xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @max(%x: tensor<3x5xf32> {nn.param = "x"}, %w: tensor<3xf32>) -> tensor<f32> {
  %s = nn.max %x {axes = array<i64: 1>} : (tensor<3x5xf32>) -> tensor<3xf32>
  %p = nn.mul %s, %w : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %l = nn.sum %p : (tensor<3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @mean_all(%x: tensor<?x5xf32> {nn.param = "x"}) -> tensor<f32> {
  %q = nn.mul %x, %x : (tensor<?x5xf32>, tensor<?x5xf32>) -> tensor<?x5xf32>
  %l = nn.mean %q : (tensor<?x5xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
