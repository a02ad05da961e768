// Gradient checks of the elementwise unary ops and activations.
// RUN: dlc-gradcheck %s --func=neg | FileCheck %s
// RUN: dlc-gradcheck %s --func=exp | FileCheck %s
// RUN: dlc-gradcheck %s --func=log --positive | FileCheck %s
// RUN: dlc-gradcheck %s --func=sqrt --positive | FileCheck %s
// RUN: dlc-gradcheck %s --func=pow2 | FileCheck %s
// RUN: dlc-gradcheck %s --func=pow3 | FileCheck %s
// RUN: dlc-gradcheck %s --func=pow_half --positive | FileCheck %s
// RUN: dlc-gradcheck %s --func=relu | FileCheck %s
// RUN: dlc-gradcheck %s --func=leaky_relu | FileCheck %s
// RUN: dlc-gradcheck %s --func=sigmoid | FileCheck %s
// RUN: dlc-gradcheck %s --func=tanh | FileCheck %s
// RUN: dlc-gradcheck %s --func=gelu | FileCheck %s
// CHECK: PASS

func.func @neg(%x: tensor<3x4xf32> {nn.param = "x"}, %w: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.neg %x : tensor<3x4xf32>
  %p = nn.mul %y, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %l = nn.sum %p : (tensor<3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @exp(%x: tensor<3x4xf32> {nn.param = "x"}, %w: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.exp %x : tensor<3x4xf32>
  %p = nn.mul %y, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %l = nn.sum %p : (tensor<3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @log(%x: tensor<3x4xf32> {nn.param = "x"}, %w: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.log %x : tensor<3x4xf32>
  %p = nn.mul %y, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %l = nn.sum %p : (tensor<3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @sqrt(%x: tensor<3x4xf32> {nn.param = "x"}, %w: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.sqrt %x : tensor<3x4xf32>
  %p = nn.mul %y, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %l = nn.sum %p : (tensor<3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @pow2(%x: tensor<3x4xf32> {nn.param = "x"}, %w: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.pow %x {exponent = 2.0 : f64} : tensor<3x4xf32>
  %p = nn.mul %y, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %l = nn.sum %p : (tensor<3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @pow3(%x: tensor<3x4xf32> {nn.param = "x"}, %w: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.pow %x {exponent = 3.0 : f64} : tensor<3x4xf32>
  %p = nn.mul %y, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %l = nn.sum %p : (tensor<3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @pow_half(%x: tensor<3x4xf32> {nn.param = "x"}, %w: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.pow %x {exponent = 0.5 : f64} : tensor<3x4xf32>
  %p = nn.mul %y, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %l = nn.sum %p : (tensor<3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @relu(%x: tensor<3x4xf32> {nn.param = "x"}, %w: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.relu %x : tensor<3x4xf32>
  %p = nn.mul %y, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %l = nn.sum %p : (tensor<3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @leaky_relu(%x: tensor<3x4xf32> {nn.param = "x"}, %w: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.leaky_relu %x {slope = 0.1 : f64} : tensor<3x4xf32>
  %p = nn.mul %y, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %l = nn.sum %p : (tensor<3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @sigmoid(%x: tensor<3x4xf32> {nn.param = "x"}, %w: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.sigmoid %x : tensor<3x4xf32>
  %p = nn.mul %y, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %l = nn.sum %p : (tensor<3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @tanh(%x: tensor<3x4xf32> {nn.param = "x"}, %w: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.tanh %x : tensor<3x4xf32>
  %p = nn.mul %y, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %l = nn.sum %p : (tensor<3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @gelu(%x: tensor<3x4xf32> {nn.param = "x"}, %w: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.gelu %x : tensor<3x4xf32>
  %p = nn.mul %y, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %l = nn.sum %p : (tensor<3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

