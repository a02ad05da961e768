// Gradient checks of max and average pooling (random inputs are tie-free).
// RUN: dlc-gradcheck %s --func=max_pool | FileCheck %s
// RUN: dlc-gradcheck %s --func=max_pool_padded | FileCheck %s
// RUN: dlc-gradcheck %s --func=avg_pool | FileCheck %s
// CHECK: PASS

func.func @max_pool(%x: tensor<?x2x4x4xf32> {nn.param = "x"}, %c: tensor<?x2x2x2xf32>) -> tensor<f32> {
  %y = nn.max_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x2x4x4xf32>) -> tensor<?x2x2x2xf32>
  %p = nn.mul %y, %c : (tensor<?x2x2x2xf32>, tensor<?x2x2x2xf32>) -> tensor<?x2x2x2xf32>
  %l = nn.sum %p : (tensor<?x2x2x2xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @max_pool_padded(%x: tensor<2x1x5x5xf32> {nn.param = "x"}, %c: tensor<2x1x3x3xf32>) -> tensor<f32> {
  %y = nn.max_pool2d %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<2x1x5x5xf32>) -> tensor<2x1x3x3xf32>
  %p = nn.mul %y, %c : (tensor<2x1x3x3xf32>, tensor<2x1x3x3xf32>) -> tensor<2x1x3x3xf32>
  %l = nn.sum %p : (tensor<2x1x3x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @avg_pool(%x: tensor<2x2x5x5xf32> {nn.param = "x"}, %c: tensor<2x2x3x3xf32>) -> tensor<f32> {
  %y = nn.avg_pool2d %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<2x2x5x5xf32>) -> tensor<2x2x3x3xf32>
  %q = nn.mul %y, %y : (tensor<2x2x3x3xf32>, tensor<2x2x3x3xf32>) -> tensor<2x2x3x3xf32>
  %p = nn.mul %q, %c : (tensor<2x2x3x3xf32>, tensor<2x2x3x3xf32>) -> tensor<2x2x3x3xf32>
  %l = nn.sum %p : (tensor<2x2x3x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
