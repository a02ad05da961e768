// One train step after another, checked by dlc-stepcheck against the update
// formulas written in plain C++ (PyTorch semantics), to 1e-12 relative error,
// for every optimiser. The last RUN line changes one constant of a step and
// expects the check to fail.
// RUN: dlc-opt %s -nn-autodiff=funcs=Sgd_loss,Plain_loss,Nest_loss,Adam_loss,AdamW_loss,Rms_loss,Ada_loss -nn-build-train-step -o %t
// RUN: dlc-stepcheck %t --model=Sgd --steps=3 | FileCheck %s
// RUN: dlc-stepcheck %t --model=Plain --steps=3 | FileCheck %s
// RUN: dlc-stepcheck %t --model=Nest --steps=3 | FileCheck %s
// RUN: dlc-stepcheck %t --model=Adam --steps=3 | FileCheck %s
// RUN: dlc-stepcheck %t --model=AdamW --steps=3 | FileCheck %s
// RUN: dlc-stepcheck %t --model=Rms --steps=3 | FileCheck %s
// RUN: dlc-stepcheck %t --model=Ada --steps=3 | FileCheck %s
// RUN: sed -e 's/dense<8.000000e-01>/dense<7.900000e-01>/' %t | not dlc-stepcheck - --model=Nest | FileCheck %s --check-prefix=MUTATED

// CHECK: step 0: loss {{.*}} OK
// CHECK: step 1: loss {{.*}} OK
// CHECK: step 2: loss {{.*}} OK
// CHECK: eval step: loss {{.*}} OK
// CHECK: PASS

// MUTATED: mismatch in w2
// MUTATED: FAIL

// SGD with momentum, dampening (the first step is undamped) and L2 weight decay.
func.func @Sgd_eval(%x: tensor<?x4xf32>, %w1: tensor<4x3xf32> {nn.param = "w1"},
    %b1: tensor<3xf32> {nn.param = "b1"}, %w2: tensor<3x2xf32> {nn.param = "w2"})
    -> tensor<?x2xf32> {
  %0 = nn.matmul %x, %w1 : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %1 = nn.add %0, %b1 : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = nn.tanh %1 : tensor<?x3xf32>
  %3 = nn.matmul %2, %w2 : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %3 : tensor<?x2xf32>
}
func.func @Sgd_loss(%x: tensor<?x4xf32>, %y: tensor<?xi64> {nn.labels},
    %w1: tensor<4x3xf32> {nn.param = "w1"}, %b1: tensor<3xf32> {nn.param = "b1"},
    %w2: tensor<3x2xf32> {nn.param = "w2"}) -> (tensor<f32>, tensor<?x2xf32>)
    attributes {nn.optimizer = {kind = "sgd", momentum = 0.875 : f64, dampening = 0.3 : f64, weight_decay = 0.01 : f64}} {
  %0 = nn.matmul %x, %w1 : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %1 = nn.add %0, %b1 : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = nn.tanh %1 : tensor<?x3xf32>
  %3 = nn.matmul %2, %w2 : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %4 = nn.cross_entropy %3, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  return %4, %3 : tensor<f32>, tensor<?x2xf32>
}

// plain SGD with global-norm clipping (active: the norm is above 0.05).
func.func @Plain_eval(%x: tensor<?x4xf32>, %w1: tensor<4x3xf32> {nn.param = "w1"},
    %b1: tensor<3xf32> {nn.param = "b1"}, %w2: tensor<3x2xf32> {nn.param = "w2"})
    -> tensor<?x2xf32> {
  %0 = nn.matmul %x, %w1 : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %1 = nn.add %0, %b1 : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = nn.tanh %1 : tensor<?x3xf32>
  %3 = nn.matmul %2, %w2 : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %3 : tensor<?x2xf32>
}
func.func @Plain_loss(%x: tensor<?x4xf32>, %y: tensor<?xi64> {nn.labels},
    %w1: tensor<4x3xf32> {nn.param = "w1"}, %b1: tensor<3xf32> {nn.param = "b1"},
    %w2: tensor<3x2xf32> {nn.param = "w2"}) -> (tensor<f32>, tensor<?x2xf32>)
    attributes {nn.optimizer = {kind = "sgd", grad_clip = 0.05 : f64}} {
  %0 = nn.matmul %x, %w1 : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %1 = nn.add %0, %b1 : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = nn.tanh %1 : tensor<?x3xf32>
  %3 = nn.matmul %2, %w2 : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %4 = nn.cross_entropy %3, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  return %4, %3 : tensor<f32>, tensor<?x2xf32>
}

// Nesterov momentum with L2 weight decay.
func.func @Nest_eval(%x: tensor<?x4xf32>, %w1: tensor<4x3xf32> {nn.param = "w1"},
    %b1: tensor<3xf32> {nn.param = "b1"}, %w2: tensor<3x2xf32> {nn.param = "w2"})
    -> tensor<?x2xf32> {
  %0 = nn.matmul %x, %w1 : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %1 = nn.add %0, %b1 : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = nn.tanh %1 : tensor<?x3xf32>
  %3 = nn.matmul %2, %w2 : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %3 : tensor<?x2xf32>
}
func.func @Nest_loss(%x: tensor<?x4xf32>, %y: tensor<?xi64> {nn.labels},
    %w1: tensor<4x3xf32> {nn.param = "w1"}, %b1: tensor<3xf32> {nn.param = "b1"},
    %w2: tensor<3x2xf32> {nn.param = "w2"}) -> (tensor<f32>, tensor<?x2xf32>)
    attributes {nn.optimizer = {kind = "nesterov", momentum = 0.8 : f64, weight_decay = 0.02 : f64}} {
  %0 = nn.matmul %x, %w1 : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %1 = nn.add %0, %b1 : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = nn.tanh %1 : tensor<?x3xf32>
  %3 = nn.matmul %2, %w2 : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %4 = nn.cross_entropy %3, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  return %4, %3 : tensor<f32>, tensor<?x2xf32>
}

// Adam with L2 weight decay.
func.func @Adam_eval(%x: tensor<?x4xf32>, %w1: tensor<4x3xf32> {nn.param = "w1"},
    %b1: tensor<3xf32> {nn.param = "b1"}, %w2: tensor<3x2xf32> {nn.param = "w2"})
    -> tensor<?x2xf32> {
  %0 = nn.matmul %x, %w1 : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %1 = nn.add %0, %b1 : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = nn.tanh %1 : tensor<?x3xf32>
  %3 = nn.matmul %2, %w2 : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %3 : tensor<?x2xf32>
}
func.func @Adam_loss(%x: tensor<?x4xf32>, %y: tensor<?xi64> {nn.labels},
    %w1: tensor<4x3xf32> {nn.param = "w1"}, %b1: tensor<3xf32> {nn.param = "b1"},
    %w2: tensor<3x2xf32> {nn.param = "w2"}) -> (tensor<f32>, tensor<?x2xf32>)
    attributes {nn.optimizer = {kind = "adam", beta1 = 0.85 : f64, beta2 = 0.99 : f64, eps = 1.0e-3 : f64, weight_decay = 0.03 : f64}} {
  %0 = nn.matmul %x, %w1 : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %1 = nn.add %0, %b1 : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = nn.tanh %1 : tensor<?x3xf32>
  %3 = nn.matmul %2, %w2 : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %4 = nn.cross_entropy %3, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  return %4, %3 : tensor<f32>, tensor<?x2xf32>
}

// AdamW (PyTorch defaults besides the decay).
func.func @AdamW_eval(%x: tensor<?x4xf32>, %w1: tensor<4x3xf32> {nn.param = "w1"},
    %b1: tensor<3xf32> {nn.param = "b1"}, %w2: tensor<3x2xf32> {nn.param = "w2"})
    -> tensor<?x2xf32> {
  %0 = nn.matmul %x, %w1 : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %1 = nn.add %0, %b1 : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = nn.tanh %1 : tensor<?x3xf32>
  %3 = nn.matmul %2, %w2 : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %3 : tensor<?x2xf32>
}
func.func @AdamW_loss(%x: tensor<?x4xf32>, %y: tensor<?xi64> {nn.labels},
    %w1: tensor<4x3xf32> {nn.param = "w1"}, %b1: tensor<3xf32> {nn.param = "b1"},
    %w2: tensor<3x2xf32> {nn.param = "w2"}) -> (tensor<f32>, tensor<?x2xf32>)
    attributes {nn.optimizer = {kind = "adamw", weight_decay = 0.1 : f64}} {
  %0 = nn.matmul %x, %w1 : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %1 = nn.add %0, %b1 : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = nn.tanh %1 : tensor<?x3xf32>
  %3 = nn.matmul %2, %w2 : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %4 = nn.cross_entropy %3, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  return %4, %3 : tensor<f32>, tensor<?x2xf32>
}

// RMSprop with momentum, L1 penalty and (inactive) clipping.
func.func @Rms_eval(%x: tensor<?x4xf32>, %w1: tensor<4x3xf32> {nn.param = "w1"},
    %b1: tensor<3xf32> {nn.param = "b1"}, %w2: tensor<3x2xf32> {nn.param = "w2"})
    -> tensor<?x2xf32> {
  %0 = nn.matmul %x, %w1 : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %1 = nn.add %0, %b1 : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = nn.tanh %1 : tensor<?x3xf32>
  %3 = nn.matmul %2, %w2 : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %3 : tensor<?x2xf32>
}
func.func @Rms_loss(%x: tensor<?x4xf32>, %y: tensor<?xi64> {nn.labels},
    %w1: tensor<4x3xf32> {nn.param = "w1"}, %b1: tensor<3xf32> {nn.param = "b1"},
    %w2: tensor<3x2xf32> {nn.param = "w2"}) -> (tensor<f32>, tensor<?x2xf32>)
    attributes {nn.optimizer = {kind = "rmsprop", alpha = 0.9 : f64, eps = 1.0e-2 : f64, momentum = 0.7 : f64, weight_decay = 0.04 : f64, l1 = 0.05 : f64, grad_clip = 10.0 : f64}} {
  %0 = nn.matmul %x, %w1 : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %1 = nn.add %0, %b1 : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = nn.tanh %1 : tensor<?x3xf32>
  %3 = nn.matmul %2, %w2 : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %4 = nn.cross_entropy %3, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  return %4, %3 : tensor<f32>, tensor<?x2xf32>
}

// Adagrad with L2 weight decay.
func.func @Ada_eval(%x: tensor<?x4xf32>, %w1: tensor<4x3xf32> {nn.param = "w1"},
    %b1: tensor<3xf32> {nn.param = "b1"}, %w2: tensor<3x2xf32> {nn.param = "w2"})
    -> tensor<?x2xf32> {
  %0 = nn.matmul %x, %w1 : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %1 = nn.add %0, %b1 : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = nn.tanh %1 : tensor<?x3xf32>
  %3 = nn.matmul %2, %w2 : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %3 : tensor<?x2xf32>
}
func.func @Ada_loss(%x: tensor<?x4xf32>, %y: tensor<?xi64> {nn.labels},
    %w1: tensor<4x3xf32> {nn.param = "w1"}, %b1: tensor<3xf32> {nn.param = "b1"},
    %w2: tensor<3x2xf32> {nn.param = "w2"}) -> (tensor<f32>, tensor<?x2xf32>)
    attributes {nn.optimizer = {kind = "adagrad", eps = 1.0e-4 : f64, weight_decay = 0.05 : f64}} {
  %0 = nn.matmul %x, %w1 : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %1 = nn.add %0, %b1 : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = nn.tanh %1 : tensor<?x3xf32>
  %3 = nn.matmul %2, %w2 : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %4 = nn.cross_entropy %3, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  return %4, %3 : tensor<f32>, tensor<?x2xf32>
}
