// RUN: dlc-opt %s -split-input-file -nn-autodiff -nn-build-train-step | FileCheck %s
// RUN: dlc-opt %s -split-input-file -nn-autodiff -nn-build-train-step | dlc-opt -split-input-file | FileCheck %s

// SGD with momentum and L2 weight decay; a dropout seed is passed through.

func.func @Sgd_eval(%x: tensor<?x3xf32>, %w: tensor<3x2xf32> {nn.param = "fc.w"},
                    %b: tensor<2xf32> {nn.param = "fc.b"}) -> tensor<?x2xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %1 = nn.add %0, %b : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}
func.func @Sgd_loss(%x: tensor<?x3xf32>, %y: tensor<?xi64> {nn.labels},
                    %w: tensor<3x2xf32> {nn.param = "fc.w"},
                    %b: tensor<2xf32> {nn.param = "fc.b"},
                    %s: tensor<i64> {nn.seed = "seed_0"})
    -> (tensor<f32>, tensor<?x2xf32>)
    attributes {nn.optimizer = {kind = "sgd", momentum = 0.5 : f64,
                                weight_decay = 0.25 : f64}} {
  %d = nn.dropout %x, %s {p = 0.5 : f64} : (tensor<?x3xf32>, tensor<i64>) -> tensor<?x3xf32>
  %0 = nn.matmul %d, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %1 = nn.add %0, %b : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %2 = nn.cross_entropy %1, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  return %2, %1 : tensor<f32>, tensor<?x2xf32>
}

// CHECK-LABEL: func.func @Sgd_train_step(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x3xf32>, %[[Y:[^:]*]]: tensor<?xi64> {nn.labels},
// CHECK-SAME: %[[W:[^:]*]]: tensor<3x2xf32> {nn.param = "fc.w"}, %[[B:[^:]*]]: tensor<2xf32> {nn.param = "fc.b"},
// CHECK-SAME: %[[MW:[^:]*]]: tensor<3x2xf32> {nn.opt_state = "m.fc.w"}, %[[MB:[^:]*]]: tensor<2xf32> {nn.opt_state = "m.fc.b"},
// CHECK-SAME: %[[SEED:[^:]*]]: tensor<i64> {nn.seed = "seed_0"},
// CHECK-SAME: %[[LR:[^:]*]]: tensor<f32> {nn.lr}, %{{[^:]*}}: tensor<f32> {nn.step})
// CHECK-SAME: -> (tensor<f32> {nn.loss}, tensor<?x2xf32> {nn.logits},
// CHECK-SAME: tensor<3x2xf32> {nn.new_param = "fc.w"}, tensor<2xf32> {nn.new_param = "fc.b"},
// CHECK-SAME: tensor<3x2xf32> {nn.new_opt_state = "m.fc.w"}, tensor<2xf32> {nn.new_opt_state = "m.fc.b"})
// CHECK: nn.dropout %[[X]], %[[SEED]]
// CHECK: %[[OUT:.*]] = nn.add
// CHECK: %[[LOSS:.*]] = nn.cross_entropy %[[OUT]], %[[Y]]
// CHECK: %[[GW:.*]] = nn.matmul {{.*}} -> tensor<3x2xf32>
// g += wd * p; m = momentum * m + g; p -= lr * m.
// CHECK: %[[WD:.*]] = nn.constant dense<2.500000e-01> : tensor<f32>
// CHECK: %[[DW:.*]] = nn.mul %[[W]], %[[WD]]
// CHECK: %[[G:.*]] = nn.add %[[GW]], %[[DW]]
// CHECK: %[[MU:.*]] = nn.constant dense<5.000000e-01> : tensor<f32>
// CHECK: %[[M0:.*]] = nn.mul %[[MW]], %[[MU]]
// CHECK: %[[M1:.*]] = nn.add %[[M0]], %[[G]]
// CHECK: %[[U:.*]] = nn.mul %[[M1]], %[[LR]]
// CHECK: %[[W1:.*]] = nn.sub %[[W]], %[[U]]
// CHECK: nn.mul %[[MB]], %[[MU]]
// CHECK: %[[B1:.*]] = nn.sub %[[B]],
// CHECK: return %[[LOSS]], %[[OUT]], %[[W1]], %[[B1]], %[[M1]], %{{.*}} :

// The eval step: @Sgd_eval (no dropout) followed by the loss of @Sgd_loss.
// CHECK-LABEL: func.func @Sgd_eval_step(
// CHECK-SAME: %[[EX:[^:]*]]: tensor<?x3xf32>, %[[EY:[^:]*]]: tensor<?xi64> {nn.labels},
// CHECK-SAME: %[[EW:[^:]*]]: tensor<3x2xf32> {nn.param = "fc.w"}, %{{[^:]*}}: tensor<2xf32> {nn.param = "fc.b"})
// CHECK-SAME: -> (tensor<f32> {nn.loss}, tensor<?x2xf32> {nn.logits})
// CHECK-NOT: nn.dropout
// CHECK: nn.matmul %[[EX]], %[[EW]]
// CHECK: %[[EOUT:.*]] = nn.add
// CHECK: %[[ELOSS:.*]] = nn.cross_entropy %[[EOUT]], %[[EY]]
// CHECK: return %[[ELOSS]], %[[EOUT]] : tensor<f32>, tensor<?x2xf32>

// -----

// Nesterov momentum: p -= lr * (g + momentum * m).

func.func @Nesterov_eval(%x: tensor<?x3xf32>, %w: tensor<3x2xf32> {nn.param = "w"}) -> tensor<?x2xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}
func.func @Nesterov_loss(%x: tensor<?x3xf32>, %y: tensor<?xi64> {nn.labels},
                         %w: tensor<3x2xf32> {nn.param = "w"})
    -> (tensor<f32>, tensor<?x2xf32>)
    attributes {nn.optimizer = {kind = "nesterov", momentum = 0.75 : f64}} {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %1 = nn.cross_entropy %0, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  return %1, %0 : tensor<f32>, tensor<?x2xf32>
}

// CHECK-LABEL: func.func @Nesterov_train_step(
// CHECK-SAME: %[[W:[^:]*]]: tensor<3x2xf32> {nn.param = "w"},
// CHECK-SAME: %[[M:[^:]*]]: tensor<3x2xf32> {nn.opt_state = "m.w"},
// CHECK-SAME: %[[LR:[^:]*]]: tensor<f32> {nn.lr}
// CHECK-SAME: tensor<3x2xf32> {nn.new_param = "w"}, tensor<3x2xf32> {nn.new_opt_state = "m.w"})
// CHECK: %[[GW:.*]] = nn.matmul {{.*}} -> tensor<3x2xf32>
// CHECK: %[[MU:.*]] = nn.constant dense<7.500000e-01> : tensor<f32>
// CHECK: %[[M0:.*]] = nn.mul %[[M]], %[[MU]]
// CHECK: %[[M1:.*]] = nn.add %[[M0]], %[[GW]]
// CHECK: %[[LOOK:.*]] = nn.mul %[[M1]], %[[MU]]
// CHECK: %[[G:.*]] = nn.add %[[GW]], %[[LOOK]]
// CHECK: %[[U:.*]] = nn.mul %[[G]], %[[LR]]
// CHECK: %[[W1:.*]] = nn.sub %[[W]], %[[U]]
// CHECK: return %{{.*}}, %{{.*}}, %[[W1]], %[[M1]] :
// CHECK-LABEL: func.func @Nesterov_eval_step(

// -----

// Adam with L2 weight decay and bias correction with step + 1.

func.func @Adam_eval(%x: tensor<?x3xf32>, %w: tensor<3x2xf32> {nn.param = "w"}) -> tensor<?x2xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}
func.func @Adam_loss(%x: tensor<?x3xf32>, %y: tensor<?xi64> {nn.labels},
                     %w: tensor<3x2xf32> {nn.param = "w"})
    -> (tensor<f32>, tensor<?x2xf32>)
    attributes {nn.optimizer = {kind = "adam", beta1 = 0.5 : f64, beta2 = 0.75 : f64,
                                eps = 0.125 : f64, weight_decay = 0.25 : f64}} {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %1 = nn.cross_entropy %0, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  return %1, %0 : tensor<f32>, tensor<?x2xf32>
}

// CHECK-LABEL: func.func @Adam_train_step(
// CHECK-SAME: %[[W:[^:]*]]: tensor<3x2xf32> {nn.param = "w"},
// CHECK-SAME: %[[M:[^:]*]]: tensor<3x2xf32> {nn.opt_state = "m.w"},
// CHECK-SAME: %[[V:[^:]*]]: tensor<3x2xf32> {nn.opt_state = "v.w"},
// CHECK-SAME: %[[LR:[^:]*]]: tensor<f32> {nn.lr}, %[[STEP:[^:]*]]: tensor<f32> {nn.step})
// CHECK-SAME: tensor<3x2xf32> {nn.new_param = "w"},
// CHECK-SAME: tensor<3x2xf32> {nn.new_opt_state = "m.w"}, tensor<3x2xf32> {nn.new_opt_state = "v.w"})
// CHECK: %[[GW:.*]] = nn.matmul {{.*}} -> tensor<3x2xf32>
// Bias corrections: step_size = lr / (1 - b1^t), sqrt(1 - b2^t), t = step + 1.
// CHECK: %[[ONE:.*]] = nn.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[T:.*]] = nn.add %[[STEP]], %[[ONE]]
// CHECK: %[[LNB1:.*]] = nn.constant dense<-0.693147{{[0-9]*}}> : tensor<f32>
// CHECK: %[[TL1:.*]] = nn.mul %[[T]], %[[LNB1]]
// CHECK: %[[B1T:.*]] = nn.exp %[[TL1]]
// CHECK: %[[BC1:.*]] = nn.sub %[[ONE]], %[[B1T]]
// CHECK: %[[SS:.*]] = nn.div %[[LR]], %[[BC1]]
// CHECK: %[[B2T:.*]] = nn.exp
// CHECK: %[[BC2:.*]] = nn.sub %[[ONE]], %[[B2T]]
// CHECK: %[[BC2S:.*]] = nn.sqrt %[[BC2]]
// g += wd * p; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2.
// CHECK: %[[WD:.*]] = nn.constant dense<2.500000e-01>
// CHECK: %[[DW:.*]] = nn.mul %[[W]], %[[WD]]
// CHECK: %[[G:.*]] = nn.add %[[GW]], %[[DW]]
// CHECK: %[[HALF:.*]] = nn.constant dense<5.000000e-01>
// CHECK: %[[M0:.*]] = nn.mul %[[M]], %[[HALF]]
// CHECK: %[[M1G:.*]] = nn.mul %[[G]], %[[HALF]]
// CHECK: %[[M1:.*]] = nn.add %[[M0]], %[[M1G]]
// CHECK: %[[B2:.*]] = nn.constant dense<7.500000e-01>
// CHECK: %[[V0:.*]] = nn.mul %[[V]], %[[B2]]
// CHECK: %[[GG:.*]] = nn.mul %[[G]], %[[G]]
// CHECK: %[[V1G:.*]] = nn.mul %[[GG]], %[[WD]]
// CHECK: %[[V1:.*]] = nn.add %[[V0]], %[[V1G]]
// p -= step_size * m / (sqrt(v) / sqrt(bc2) + eps).
// CHECK: %[[SV:.*]] = nn.sqrt %[[V1]]
// CHECK: %[[SVC:.*]] = nn.div %[[SV]], %[[BC2S]]
// CHECK: %[[EPS:.*]] = nn.constant dense<1.250000e-01>
// CHECK: %[[DEN:.*]] = nn.add %[[SVC]], %[[EPS]]
// CHECK: %[[R:.*]] = nn.div %[[M1]], %[[DEN]]
// CHECK: %[[U:.*]] = nn.mul %[[R]], %[[SS]]
// CHECK: %[[W1:.*]] = nn.sub %[[W]], %[[U]]
// CHECK: return %{{.*}}, %{{.*}}, %[[W1]], %[[M1]], %[[V1]] :
// CHECK-LABEL: func.func @Adam_eval_step(

// -----

// AdamW: decoupled weight decay p *= 1 - lr * wd before the Adam step.

func.func @AdamW_eval(%x: tensor<?x3xf32>, %w: tensor<3x2xf32> {nn.param = "w"}) -> tensor<?x2xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}
func.func @AdamW_loss(%x: tensor<?x3xf32>, %y: tensor<?xi64> {nn.labels},
                      %w: tensor<3x2xf32> {nn.param = "w"})
    -> (tensor<f32>, tensor<?x2xf32>)
    attributes {nn.optimizer = {kind = "adamw", weight_decay = 0.0625 : f64}} {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %1 = nn.cross_entropy %0, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  return %1, %0 : tensor<f32>, tensor<?x2xf32>
}

// CHECK-LABEL: func.func @AdamW_train_step(
// CHECK-SAME: %[[W:[^:]*]]: tensor<3x2xf32> {nn.param = "w"},
// CHECK-SAME: %[[M:[^:]*]]: tensor<3x2xf32> {nn.opt_state = "m.w"},
// CHECK-SAME: %[[V:[^:]*]]: tensor<3x2xf32> {nn.opt_state = "v.w"},
// CHECK-SAME: %[[LR:[^:]*]]: tensor<f32> {nn.lr}
// CHECK: %[[GW:.*]] = nn.matmul {{.*}} -> tensor<3x2xf32>
// CHECK: %[[ONE:.*]] = nn.constant dense<1.000000e+00>
// CHECK: %[[SS:.*]] = nn.div %[[LR]],
// CHECK: %[[WD:.*]] = nn.constant dense<6.250000e-02>
// CHECK: %[[LRWD:.*]] = nn.mul %[[LR]], %[[WD]]
// CHECK: %[[KEEP:.*]] = nn.sub %[[ONE]], %[[LRWD]]
// CHECK: %[[PD:.*]] = nn.mul %[[W]], %[[KEEP]]
// The gradient itself gets no decay.
// CHECK: %[[B1:.*]] = nn.constant dense<0.899999976>
// CHECK: %[[M0:.*]] = nn.mul %[[M]], %[[B1]]
// CHECK: nn.mul %[[GW]],
// CHECK: %[[U:.*]] = nn.mul %{{.*}}, %[[SS]]
// CHECK: %[[W1:.*]] = nn.sub %[[PD]], %[[U]]
// CHECK: return %{{.*}}, %{{.*}}, %[[W1]], %{{.*}}, %{{.*}} :
// CHECK-LABEL: func.func @AdamW_eval_step(

// -----

// RMSprop with momentum, L1 penalty and global-norm clipping; a buffer
// without an update is passed through.

func.func @Rms_eval(%x: tensor<?x3xf32>, %w: tensor<3x2xf32> {nn.param = "w"},
                    %s: tensor<2xf32> {nn.buffer = "scale"}) -> tensor<?x2xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %1 = nn.mul %0, %s : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}
func.func @Rms_loss(%x: tensor<?x3xf32>, %y: tensor<?xi64> {nn.labels},
                    %w: tensor<3x2xf32> {nn.param = "w"},
                    %s: tensor<2xf32> {nn.buffer = "scale"})
    -> (tensor<f32>, tensor<?x2xf32>)
    attributes {nn.optimizer = {kind = "rmsprop", momentum = 0.5 : f64,
                                grad_clip = 2.0 : f64, l1 = 0.25 : f64}} {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %1 = nn.mul %0, %s : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %2 = nn.cross_entropy %1, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  return %2, %1 : tensor<f32>, tensor<?x2xf32>
}

// CHECK-LABEL: func.func @Rms_train_step(
// CHECK-SAME: %[[W:[^:]*]]: tensor<3x2xf32> {nn.param = "w"}, %[[S:[^:]*]]: tensor<2xf32> {nn.buffer = "scale"},
// CHECK-SAME: %[[V:[^:]*]]: tensor<3x2xf32> {nn.opt_state = "v.w"}, %[[M:[^:]*]]: tensor<3x2xf32> {nn.opt_state = "m.w"},
// CHECK-SAME: tensor<3x2xf32> {nn.new_param = "w"}, tensor<2xf32> {nn.new_buffer = "scale"},
// CHECK-SAME: tensor<3x2xf32> {nn.new_opt_state = "v.w"}, tensor<3x2xf32> {nn.new_opt_state = "m.w"})
// CHECK: %[[GW:.*]] = nn.matmul {{.*}} -> tensor<3x2xf32>
// g += l1 * sign(p)
// CHECK: %[[SIGN:.*]] = nn.sign %[[W]]
// CHECK: %[[L1:.*]] = nn.mul %[[SIGN]],
// CHECK: %[[G1:.*]] = nn.add %[[GW]], %[[L1]]
// g *= min(1, clip / (||g|| + 1e-6))
// CHECK: %[[SQ:.*]] = nn.mul %[[G1]], %[[G1]]
// CHECK: %[[SS:.*]] = nn.sum %[[SQ]] : (tensor<3x2xf32>) -> tensor<f32>
// CHECK: %[[NORM:.*]] = nn.sqrt %[[SS]]
// CHECK: nn.relu
// CHECK: %[[CLAMP:.*]] = nn.sub
// CHECK: %[[G:.*]] = nn.mul %[[G1]], %[[CLAMP]]
// CHECK: %[[V0:.*]] = nn.mul %[[V]],
// CHECK: %[[V1:.*]] = nn.add %[[V0]],
// CHECK: %[[D:.*]] = nn.div %[[G]],
// CHECK: %[[M0:.*]] = nn.mul %[[M]],
// CHECK: %[[M1:.*]] = nn.add %[[M0]], %[[D]]
// CHECK: %[[U:.*]] = nn.mul %[[M1]],
// CHECK: %[[W1:.*]] = nn.sub %[[W]], %[[U]]
// CHECK: return %{{.*}}, %{{.*}}, %[[W1]], %[[S]], %[[V1]], %[[M1]] :
// CHECK-LABEL: func.func @Rms_eval_step(

// -----

// Adagrad: sum += g^2; p -= lr * g / (sqrt(sum) + eps).

func.func @Ada_eval(%x: tensor<?x3xf32>, %w: tensor<3x2xf32> {nn.param = "w"}) -> tensor<?x2xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}
func.func @Ada_loss(%x: tensor<?x3xf32>, %y: tensor<?xi64> {nn.labels},
                    %w: tensor<3x2xf32> {nn.param = "w"})
    -> (tensor<f32>, tensor<?x2xf32>)
    attributes {nn.optimizer = {kind = "adagrad"}} {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %1 = nn.cross_entropy %0, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  return %1, %0 : tensor<f32>, tensor<?x2xf32>
}

// CHECK-LABEL: func.func @Ada_train_step(
// CHECK-SAME: %[[W:[^:]*]]: tensor<3x2xf32> {nn.param = "w"},
// CHECK-SAME: %[[SUM:[^:]*]]: tensor<3x2xf32> {nn.opt_state = "sum.w"},
// CHECK-SAME: %[[LR:[^:]*]]: tensor<f32> {nn.lr}
// CHECK: %[[GW:.*]] = nn.matmul {{.*}} -> tensor<3x2xf32>
// CHECK: %[[GG:.*]] = nn.mul %[[GW]], %[[GW]]
// CHECK: %[[SUM1:.*]] = nn.add %[[SUM]], %[[GG]]
// CHECK: %[[RT:.*]] = nn.sqrt %[[SUM1]]
// CHECK: %[[DEN:.*]] = nn.add %[[RT]],
// CHECK: %[[D:.*]] = nn.div %[[GW]], %[[DEN]]
// CHECK: %[[U:.*]] = nn.mul %[[D]], %[[LR]]
// CHECK: %[[W1:.*]] = nn.sub %[[W]], %[[U]]
// CHECK: return %{{.*}}, %{{.*}}, %[[W1]], %[[SUM1]] :
// CHECK-LABEL: func.func @Ada_eval_step(
