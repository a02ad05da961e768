// Gradient checks of softmax and log_softmax along both axes.
// RUN: dlc-gradcheck %s --func=softmax1 | FileCheck %s
// RUN: dlc-gradcheck %s --func=softmax0 | FileCheck %s
// RUN: dlc-gradcheck %s --func=log_softmax1 | FileCheck %s
// RUN: dlc-gradcheck %s --func=log_softmax0 | FileCheck %s
// CHECK: PASS

func.func @softmax1(%x: tensor<?x5xf32> {nn.param = "x"}, %w: tensor<?x5xf32>) -> tensor<f32> {
  %y = nn.softmax %x {axis = 1 : i64} : tensor<?x5xf32>
  %p = nn.mul %y, %w : (tensor<?x5xf32>, tensor<?x5xf32>) -> tensor<?x5xf32>
  %l = nn.sum %p : (tensor<?x5xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @softmax0(%x: tensor<4x5xf32> {nn.param = "x"}, %w: tensor<4x5xf32>) -> tensor<f32> {
  %y = nn.softmax %x {axis = 0 : i64} : tensor<4x5xf32>
  %p = nn.mul %y, %w : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
  %l = nn.sum %p : (tensor<4x5xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @log_softmax1(%x: tensor<?x5xf32> {nn.param = "x"}, %w: tensor<?x5xf32>) -> tensor<f32> {
  %y = nn.log_softmax %x {axis = 1 : i64} : tensor<?x5xf32>
  %p = nn.mul %y, %w : (tensor<?x5xf32>, tensor<?x5xf32>) -> tensor<?x5xf32>
  %l = nn.sum %p : (tensor<?x5xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @log_softmax0(%x: tensor<2x3x4xf32> {nn.param = "x"}, %w: tensor<2x3x4xf32>) -> tensor<f32> {
  %y = nn.log_softmax %x {axis = 1 : i64} : tensor<2x3x4xf32>
  %p = nn.mul %y, %w : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %l = nn.sum %p : (tensor<2x3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
