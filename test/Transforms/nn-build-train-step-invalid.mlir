// Errors of nn-build-train-step.
// RUN: dlc-opt %s -split-input-file -nn-autodiff=funcs=M_loss -nn-build-train-step -verify-diagnostics

func.func @M_eval(%x: tensor<?x3xf32>, %w: tensor<3x2xf32> {nn.param = "w"}) -> tensor<?x2xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}
// expected-error @+1 {{nn.optimizer: unknown kind 'lbfgs' (expected sgd, momentum, nesterov, adam, adamw, rmsprop or adagrad)}}
func.func @M_loss(%x: tensor<?x3xf32>, %y: tensor<?xi64> {nn.labels}, %w: tensor<3x2xf32> {nn.param = "w"})
    -> (tensor<f32>, tensor<?x2xf32>) attributes {nn.optimizer = {kind = "lbfgs"}} {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %1 = nn.cross_entropy %0, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  return %1, %0 : tensor<f32>, tensor<?x2xf32>
}

// -----

func.func @M_eval(%x: tensor<?x3xf32>, %w: tensor<3x2xf32> {nn.param = "w"}) -> tensor<?x2xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}
// expected-error @+1 {{nn.optimizer: unknown key 'momentum' for kind 'adam'}}
func.func @M_loss(%x: tensor<?x3xf32>, %y: tensor<?xi64> {nn.labels}, %w: tensor<3x2xf32> {nn.param = "w"})
    -> (tensor<f32>, tensor<?x2xf32>) attributes {nn.optimizer = {kind = "adam", momentum = 0.9 : f64}} {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %1 = nn.cross_entropy %0, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  return %1, %0 : tensor<f32>, tensor<?x2xf32>
}

// -----

func.func @M_eval(%x: tensor<?x3xf32>, %w: tensor<3x2xf32> {nn.param = "w"}) -> tensor<?x2xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}
// expected-error @+1 {{nn.optimizer: Nesterov momentum requires a momentum > 0 and zero dampening}}
func.func @M_loss(%x: tensor<?x3xf32>, %y: tensor<?xi64> {nn.labels}, %w: tensor<3x2xf32> {nn.param = "w"})
    -> (tensor<f32>, tensor<?x2xf32>) attributes {nn.optimizer = {kind = "sgd", nesterov = true}} {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %1 = nn.cross_entropy %0, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  return %1, %0 : tensor<f32>, tensor<?x2xf32>
}

// -----

func.func @M_eval(%x: tensor<?x3xf32>, %w: tensor<3x2xf32> {nn.param = "w"}) -> tensor<?x2xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}
// expected-error @+1 {{nn.optimizer: 'momentum' must be a number}}
func.func @M_loss(%x: tensor<?x3xf32>, %y: tensor<?xi64> {nn.labels}, %w: tensor<3x2xf32> {nn.param = "w"})
    -> (tensor<f32>, tensor<?x2xf32>) attributes {nn.optimizer = {kind = "sgd", momentum = "high"}} {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %1 = nn.cross_entropy %0, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  return %1, %0 : tensor<f32>, tensor<?x2xf32>
}

// -----

func.func @M_eval(%x: tensor<?x3xf32>, %w: tensor<3x2xf32> {nn.param = "w"}) -> tensor<?x2xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}
// expected-error @+1 {{nn.optimizer: beta1, beta2 and alpha must be below 1}}
func.func @M_loss(%x: tensor<?x3xf32>, %y: tensor<?xi64> {nn.labels}, %w: tensor<3x2xf32> {nn.param = "w"})
    -> (tensor<f32>, tensor<?x2xf32>) attributes {nn.optimizer = {kind = "adam", beta2 = 1.0 : f64}} {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %1 = nn.cross_entropy %0, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  return %1, %0 : tensor<f32>, tensor<?x2xf32>
}

// -----

// No inference form to build the eval step from.
// expected-error @+1 {{nn-build-train-step: model 'M' needs @M_loss, @M_loss_grad (run nn-autodiff first) and @M_eval}}
func.func @M_loss(%x: tensor<?x3xf32>, %y: tensor<?xi64> {nn.labels}, %w: tensor<3x2xf32> {nn.param = "w"})
    -> (tensor<f32>, tensor<?x2xf32>) {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %1 = nn.cross_entropy %0, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  return %1, %0 : tensor<f32>, tensor<?x2xf32>
}

// -----

func.func @M_eval(%x: tensor<?x3xf32>, %w: tensor<3x2xf32> {nn.param = "w"}) -> tensor<?x2xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}
// The loss needs the labels and the model output as its second result.
// expected-error @+1 {{nn-build-train-step: expected the 0-d loss and the model output as the first two results}}
func.func @M_loss(%x: tensor<?x3xf32>, %y: tensor<?xi64> {nn.labels}, %w: tensor<3x2xf32> {nn.param = "w"})
    -> tensor<f32> {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %1 = nn.cross_entropy %0, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  return %1 : tensor<f32>
}

// -----

func.func @M_eval(%x: tensor<?x3xf32>, %w: tensor<3x2xf32> {nn.param = "w"}) -> tensor<?x2xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}
// expected-error @+1 {{nn-build-train-step: '@M_train_step' already exists}}
func.func @M_loss(%x: tensor<?x3xf32>, %y: tensor<?xi64> {nn.labels}, %w: tensor<3x2xf32> {nn.param = "w"})
    -> (tensor<f32>, tensor<?x2xf32>) {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %1 = nn.cross_entropy %0, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  return %1, %0 : tensor<f32>, tensor<?x2xf32>
}
func.func private @M_train_step()
