// Errors of nn-autodiff.
// RUN: dlc-opt %s -split-input-file -nn-autodiff -verify-diagnostics

// An op without a VJP rule on the gradient path.
func.func @no_rule(%w: tensor<3xf32> {nn.param = "w"}) -> tensor<f32> {
  // expected-error @+1 {{nn-autodiff: 'tensor.cast' lies on the gradient path but has no VJP rule}}
  %c = tensor.cast %w : tensor<3xf32> to tensor<?xf32>
  %l = nn.sum %c : (tensor<?xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// The loss must be a float tensor.
// expected-error @+1 {{the first result of the function must be a float tensor}}
func.func @int_result(%w: tensor<3xf32> {nn.param = "w"}) -> tensor<3xi64> {
  %c = nn.constant dense<1.0> : tensor<3xf32>
  %i = arith.constant dense<1> : tensor<3xi64>
  return %i : tensor<3xi64>
}

// -----

// A VJP rule that does not apply to this instance.
func.func @reshape_two_dynamic(%x: tensor<?x?xf32> {nn.param = "x"}) -> tensor<f32> {
  // expected-error @+1 {{cannot differentiate a reshape from a type with more than one dynamic dimension}}
  %r = nn.reshape %x : (tensor<?x?xf32>) -> tensor<?xf32>
  %l = nn.sum %r : (tensor<?xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
