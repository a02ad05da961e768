// RUN: dlc-opt %s -nn-autodiff -nn-build-train-step=split-update=true | FileCheck %s
// RUN: dlc-opt %s -nn-autodiff -nn-build-train-step | FileCheck --check-prefix=NOSPLIT %s

// split-update (dlc --mpi): @M_train_step cut where the gradients are
// complete, for data-parallel training. The gradient step keeps the seeds
// (the same dropout masks) and returns each buffer's new value; the update
// step reads the gradients (nn.grad_in) and is @M_train_step's update.

func.func @Bn_eval(%x: tensor<?x3xf32>, %w: tensor<3x2xf32> {nn.param = "fc.w"},
                   %m: tensor<2xf32> {nn.buffer = "bn.mean"}) -> tensor<?x2xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %1 = nn.sub %0, %m : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}
func.func @Bn_loss(%x: tensor<?x3xf32>, %y: tensor<?xi64> {nn.labels},
                   %w: tensor<3x2xf32> {nn.param = "fc.w"},
                   %m: tensor<2xf32> {nn.buffer = "bn.mean"},
                   %s: tensor<i64> {nn.seed = "seed_0"})
    -> (tensor<f32>, tensor<?x2xf32>, tensor<2xf32> {nn.buffer_update = "bn.mean"})
    attributes {nn.optimizer = {kind = "sgd", momentum = 0.5 : f64,
                                grad_clip = 1.0 : f64}} {
  %d = nn.dropout %x, %s {p = 0.5 : f64} : (tensor<?x3xf32>, tensor<i64>) -> tensor<?x3xf32>
  %0 = nn.matmul %d, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %1 = nn.cross_entropy %0, %y : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<f32>
  %h = nn.constant dense<5.000000e-01> : tensor<f32>
  %2 = nn.mul %m, %h : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  return %1, %0, %2 : tensor<f32>, tensor<?x2xf32>, tensor<2xf32>
}

// CHECK-LABEL: func.func @Bn_train_step(
// CHECK-LABEL: func.func @Bn_train_grad_step(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x3xf32>, %{{[^:]*}}: tensor<?xi64> {nn.labels},
// CHECK-SAME: %{{[^:]*}}: tensor<3x2xf32> {nn.param = "fc.w"}, %[[M:[^:]*]]: tensor<2xf32> {nn.buffer = "bn.mean"},
// CHECK-SAME: %[[SEED:[^:]*]]: tensor<i64> {nn.seed = "seed_0"})
// CHECK-SAME: -> (tensor<f32> {nn.loss}, tensor<?x2xf32> {nn.logits},
// CHECK-SAME: tensor<3x2xf32> {nn.grad_of = "fc.w"}, tensor<2xf32> {nn.new_buffer = "bn.mean"})
// CHECK: nn.dropout %[[X]], %[[SEED]]
// CHECK-NOT: nn.sqrt
// CHECK: return
// CHECK-LABEL: func.func @Bn_update_step(
// CHECK-SAME: %[[W:[^:]*]]: tensor<3x2xf32> {nn.param = "fc.w"},
// CHECK-SAME: %[[G:[^:]*]]: tensor<3x2xf32> {nn.grad_in = "fc.w"},
// CHECK-SAME: %[[MW:[^:]*]]: tensor<3x2xf32> {nn.opt_state = "m.fc.w"},
// CHECK-SAME: %[[LR:[^:]*]]: tensor<f32> {nn.lr}, %{{[^:]*}}: tensor<f32> {nn.step})
// CHECK-SAME: -> (tensor<3x2xf32> {nn.new_param = "fc.w"}, tensor<3x2xf32> {nn.new_opt_state = "m.fc.w"})
// Clipping by the global norm of the (summed) gradients, then momentum.
// CHECK: nn.mul %[[G]], %[[G]]
// CHECK: nn.sqrt
// CHECK: nn.mul %[[MW]],
// CHECK: nn.sub %[[W]],
// CHECK: return

// NOSPLIT-NOT: train_grad_step
// NOSPLIT-NOT: update_step
