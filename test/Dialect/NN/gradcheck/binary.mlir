// Gradient checks of the broadcasting binary ops.
// RUN: dlc-gradcheck %s --func=add | FileCheck %s
// RUN: dlc-gradcheck %s --func=sub | FileCheck %s
// RUN: dlc-gradcheck %s --func=mul | FileCheck %s
// RUN: dlc-gradcheck %s --func=div --positive | FileCheck %s
// CHECK: PASS

func.func @add(%a: tensor<?x4xf32> {nn.param = "a"}, %b: tensor<4xf32> {nn.param = "b"}, %w: tensor<?x4xf32>) -> tensor<f32> {
  %y = nn.add %a, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %z = nn.mul %y, %y : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %p = nn.mul %z, %w : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %l = nn.sum %p : (tensor<?x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @sub(%a: tensor<3x1xf32> {nn.param = "a"}, %b: tensor<2x1x4xf32> {nn.param = "b"}, %w: tensor<2x3x4xf32>) -> tensor<f32> {
  %y = nn.sub %a, %b : (tensor<3x1xf32>, tensor<2x1x4xf32>) -> tensor<2x3x4xf32>
  %z = nn.mul %y, %y : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %p = nn.mul %z, %w : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %l = nn.sum %p : (tensor<2x3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @mul(%a: tensor<3x1xf32> {nn.param = "a"}, %b: tensor<4xf32> {nn.param = "b"}, %s: tensor<f32> {nn.param = "s"}, %w: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.mul %a, %b : (tensor<3x1xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %z = nn.mul %y, %s : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32>
  %p = nn.mul %z, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %l = nn.sum %p : (tensor<3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @div(%a: tensor<3x4xf32> {nn.param = "a"}, %b: tensor<3x1xf32> {nn.param = "b"}, %w: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.div %a, %b : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>
  %p = nn.mul %y, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %l = nn.sum %p : (tensor<3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
