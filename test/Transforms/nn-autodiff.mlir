// Structure of the gradient functions built by nn-autodiff.
// RUN: dlc-opt %s -nn-autodiff | FileCheck %s
// RUN: dlc-opt %s -nn-autodiff="funcs=matmul wrt-inputs=true" | FileCheck %s --check-prefix=INPUTS

// Matmul: dW = X^T dY; X is not a parameter, so no dX is built.
// CHECK-LABEL: func.func @matmul_grad(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x4xf32>, %[[W:[a-z0-9]+]]: tensor<4x3xf32> {nn.param = "w"})
// CHECK-SAME: -> (tensor<f32>, tensor<4x3xf32> {nn.grad_of = "w"})
// CHECK: %[[Y:.*]] = nn.matmul %[[X]], %[[W]]
// CHECK: %[[L:.*]] = nn.sum %[[Y]]
// CHECK: %[[ONE:.*]] = nn.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[DY:.*]] = nn.broadcast_like %[[ONE]], %[[Y]]
// CHECK: %[[XT:.*]] = nn.transpose %[[X]] {perm = array<i64: 1, 0>} : (tensor<?x4xf32>) -> tensor<4x?xf32>
// CHECK: %[[DW:.*]] = nn.matmul %[[XT]], %[[DY]] : (tensor<4x?xf32>, tensor<?x3xf32>) -> tensor<4x3xf32>
// CHECK-NOT: nn.matmul
// CHECK: return %[[L]], %[[DW]]

// With wrt-inputs, dX = dY W^T is returned too, and only @matmul is
// differentiated.
// INPUTS-LABEL: func.func @matmul_grad(
// INPUTS-SAME: -> (tensor<f32>, tensor<?x4xf32> {nn.grad_of = "arg0"}, tensor<4x3xf32> {nn.grad_of = "w"})
// INPUTS: %[[WT:.*]] = nn.transpose %{{.*}} {perm = array<i64: 1, 0>} : (tensor<4x3xf32>) -> tensor<3x4xf32>
// INPUTS: %[[DX:.*]] = nn.matmul %{{.*}}, %[[WT]] : (tensor<?x3xf32>, tensor<3x4xf32>) -> tensor<?x4xf32>
// INPUTS: return %{{.*}}, %[[DX]], %{{.*}}
// INPUTS-NOT: func.func @broadcast_add_grad
func.func @matmul(%x: tensor<?x4xf32>, %w: tensor<4x3xf32> {nn.param = "w"}) -> tensor<f32> {
  %y = nn.matmul %x, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %l = nn.sum %y : (tensor<?x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// Broadcasting add: the bias cotangent is summed back to the bias shape, the
// two uses of %y are summed (fan-in), and the mean divides by the run-time
// element count.
// CHECK-LABEL: func.func @broadcast_add_grad(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x3xf32>, %[[B:[a-z0-9]+]]: tensor<3xf32> {nn.param = "b"})
// CHECK: %[[Y:.*]] = nn.add %[[X]], %[[B]]
// CHECK: %[[Z:.*]] = nn.mul %[[Y]], %[[Y]]
// CHECK: %[[SPREAD:.*]] = nn.broadcast_like %{{.*}}, %[[Z]]
// CHECK: %[[N:.*]] = nn.count %[[Z]] : (tensor<?x3xf32>) -> tensor<f32>
// CHECK: %[[DZ:.*]] = nn.div %[[SPREAD]], %[[N]]
// CHECK: %[[D1:.*]] = nn.mul %[[DZ]], %[[Y]]
// CHECK: %[[D2:.*]] = nn.mul %[[DZ]], %[[Y]]
// CHECK: %[[DY:.*]] = nn.add %[[D1]], %[[D2]]
// CHECK: %[[DB:.*]] = nn.sum_to %[[DY]], %[[B]] : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK: return %{{.*}}, %[[DB]]
func.func @broadcast_add(%x: tensor<?x3xf32>, %b: tensor<3xf32> {nn.param = "b"}) -> tensor<f32> {
  %y = nn.add %x, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %z = nn.mul %y, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %l = nn.mean %z : (tensor<?x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// Softmax cross-entropy: one fused backward op; the labels get nothing.
// CHECK-LABEL: func.func @softmax_cross_entropy_grad(
// CHECK-SAME: %[[Z:[a-z0-9]+]]: tensor<?x10xf32> {nn.param = "logits"}, %[[LABELS:[a-z0-9]+]]: tensor<?xi64>)
// CHECK-SAME: -> (tensor<f32>, tensor<?x10xf32> {nn.grad_of = "logits"})
// CHECK: %[[L:.*]] = nn.cross_entropy %[[Z]], %[[LABELS]]
// CHECK: %[[ONE:.*]] = nn.constant dense<1.000000e+00>
// CHECK: %[[DZ:.*]] = nn.cross_entropy_grad %[[ONE]], %[[Z]], %[[LABELS]] : (tensor<f32>, tensor<?x10xf32>, tensor<?xi64>) -> tensor<?x10xf32>
// CHECK: return %[[L]], %[[DZ]]
func.func @softmax_cross_entropy(%z: tensor<?x10xf32> {nn.param = "logits"}, %y: tensor<?xi64>) -> tensor<f32> {
  %l = nn.cross_entropy %z, %y : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// Conv2d: weight and bias gradients; the input is not differentiated, so no
// conv2d_grad_input survives.
// CHECK-LABEL: func.func @conv2d_grad(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x1x8x8xf32>, %[[W:[a-z0-9]+]]: tensor<4x1x3x3xf32> {nn.param = "conv.w"}, %[[B:[a-z0-9]+]]: tensor<4xf32> {nn.param = "conv.b"})
// CHECK: %[[Y:.*]] = nn.conv2d %[[X]], %[[W]], %[[B]] {padding = array<i64: 1, 1>}
// CHECK: %[[DY:.*]] = nn.broadcast_like %{{.*}}, %[[Y]]
// CHECK-NOT: nn.conv2d_grad_input
// CHECK: %[[DW:.*]] = nn.conv2d_grad_weight %[[DY]], %[[X]], %[[W]] {padding = array<i64: 1, 1>} : (tensor<?x4x8x8xf32>, tensor<?x1x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<4x1x3x3xf32>
// CHECK: %[[DB:.*]] = nn.sum %[[DY]] {axes = array<i64: 0, 2, 3>} : (tensor<?x4x8x8xf32>) -> tensor<4xf32>
// CHECK: return %{{.*}}, %[[DW]], %[[DB]]
func.func @conv2d(%x: tensor<?x1x8x8xf32>, %w: tensor<4x1x3x3xf32> {nn.param = "conv.w"}, %b: tensor<4xf32> {nn.param = "conv.b"}) -> tensor<f32> {
  %y = nn.conv2d %x, %w, %b {padding = array<i64: 1, 1>} : (tensor<?x1x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  %l = nn.sum %y : (tensor<?x4x8x8xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// Conv2d with respect to its input (a conv2d feeding another layer).
// CHECK-LABEL: func.func @conv2d_input_grad(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<2x1x8x8xf32> {nn.param = "x"}, %[[W:[a-z0-9]+]]: tensor<4x1x3x3xf32>)
// CHECK: %[[DX:.*]] = nn.conv2d_grad_input %{{.*}}, %[[W]], %[[X]] {stride = array<i64: 2, 2>} : (tensor<2x4x3x3xf32>, tensor<4x1x3x3xf32>, tensor<2x1x8x8xf32>) -> tensor<2x1x8x8xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @conv2d_input(%x: tensor<2x1x8x8xf32> {nn.param = "x"}, %w: tensor<4x1x3x3xf32>) -> tensor<f32> {
  %y = nn.conv2d %x, %w {stride = array<i64: 2, 2>} : (tensor<2x1x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<2x4x3x3xf32>
  %l = nn.sum %y : (tensor<2x4x3x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// Max pool: the window attributes are carried to the backward op.
// CHECK-LABEL: func.func @max_pool_grad(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x4x8x8xf32> {nn.param = "x"})
// CHECK: %[[Y:.*]] = nn.max_pool2d %[[X]]
// CHECK: %[[DY:.*]] = nn.broadcast_like %{{.*}}, %[[Y]]
// CHECK: %[[DX:.*]] = nn.max_pool2d_grad %[[DY]], %[[X]] {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x4x4x4xf32>, tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @max_pool(%x: tensor<?x4x8x8xf32> {nn.param = "x"}) -> tensor<f32> {
  %y = nn.max_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x4x4xf32>
  %l = nn.sum %y : (tensor<?x4x4x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// Batch norm: the batch statistics are passed through as extra results of
// the forward function and used by the backward op in training mode.
// CHECK-LABEL: func.func @batch_norm_grad(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x4x8x8xf32>, %[[G:[a-z0-9]+]]: tensor<4xf32> {nn.param = "bn.gamma"}, %[[B:[a-z0-9]+]]: tensor<4xf32> {nn.param = "bn.beta"})
// CHECK-SAME: -> (tensor<f32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32> {nn.grad_of = "bn.gamma"}, tensor<4xf32> {nn.grad_of = "bn.beta"})
// CHECK: %[[Y:.*]], %[[MEAN:.*]], %[[VAR:.*]] = nn.batch_norm_train %[[X]], %[[G]], %[[B]]
// CHECK: %[[DY:.*]] = nn.broadcast_like %{{.*}}, %[[Y]]
// CHECK: %[[DX:.*]], %[[DG:.*]], %[[DB:.*]] = nn.batch_norm_grad %[[DY]], %[[X]], %[[G]], %[[MEAN]], %[[VAR]] :
// CHECK: return %{{.*}}, %[[MEAN]], %[[VAR]], %[[DG]], %[[DB]]
func.func @batch_norm(%x: tensor<?x4x8x8xf32>, %g: tensor<4xf32> {nn.param = "bn.gamma"}, %b: tensor<4xf32> {nn.param = "bn.beta"}) -> (tensor<f32>, tensor<4xf32>, tensor<4xf32>) {
  %y, %mean, %var = nn.batch_norm_train %x, %g, %b : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>)
  %l = nn.sum %y : (tensor<?x4x8x8xf32>) -> tensor<f32>
  return %l, %mean, %var : tensor<f32>, tensor<4xf32>, tensor<4xf32>
}

// A non-scalar first result: the gradient function takes its cotangent as
// an extra last argument.
// CHECK-LABEL: func.func @seeded_grad(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x4xf32>, %{{.*}}: tensor<4x3xf32> {nn.param = "w"}, %[[SEED:[a-z0-9]+]]: tensor<?x3xf32>)
// CHECK: %[[XT:.*]] = nn.transpose %[[X]]
// CHECK: %[[DW:.*]] = nn.matmul %[[XT]], %[[SEED]]
// CHECK: return %{{.*}}, %[[DW]]
func.func @seeded(%x: tensor<?x4xf32>, %w: tensor<4x3xf32> {nn.param = "w"}) -> tensor<?x3xf32> {
  %y = nn.matmul %x, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// A parameter the loss does not depend on gets zeros.
// CHECK-LABEL: func.func @unused_param_grad(
// CHECK-SAME: %{{.*}}: tensor<3xf32> {nn.param = "w"}, %[[U:[a-z0-9]+]]: tensor<3xf32> {nn.param = "unused"})
// CHECK: %[[Z:.*]] = nn.zeros_like %[[U]] : tensor<3xf32>
// CHECK: return %{{.*}}, %{{.*}}, %[[Z]]
func.func @unused_param(%w: tensor<3xf32> {nn.param = "w"}, %u: tensor<3xf32> {nn.param = "unused"}) -> tensor<f32> {
  %l = nn.sum %w : (tensor<3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
