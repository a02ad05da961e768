// Round trip of every nn op: parse, print, parse again, print.
// RUN: dlc-opt %s | dlc-opt | FileCheck %s

// CHECK-LABEL: func.func @constants(
// CHECK: nn.constant dense<1.000000e+00> : tensor<f32>
// CHECK: nn.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00{{\]\]}}> : tensor<2x3xf32>
// CHECK: nn.init_uniform %{{.*}} {high = 1.000000e-01 : f64, low = -1.000000e-01 : f64} : (tensor<i64>) -> tensor<4x5xf32>
// CHECK: nn.init_normal %{{.*}} {std = 5.000000e-02 : f64} : (tensor<i64>) -> tensor<4x5xf32>
// CHECK: nn.zeros_like %{{.*}} : tensor<2x3xf32>
// CHECK: nn.constant dense<[0, 3, 1]> : tensor<3xi64>
func.func @constants(%seed: tensor<i64>) -> (tensor<f32>, tensor<2x3xf32>, tensor<4x5xf32>, tensor<4x5xf32>, tensor<2x3xf32>, tensor<3xi64>) {
  %c = nn.constant dense<1.0> : tensor<f32>
  %d = nn.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %u = nn.init_uniform %seed {low = -0.1 : f64, high = 0.1 : f64} : (tensor<i64>) -> tensor<4x5xf32>
  %n = nn.init_normal %seed {std = 0.05 : f64} : (tensor<i64>) -> tensor<4x5xf32>
  %z = nn.zeros_like %d : tensor<2x3xf32>
  %labels = nn.constant dense<[0, 3, 1]> : tensor<3xi64>
  return %c, %d, %u, %n, %z, %labels : tensor<f32>, tensor<2x3xf32>, tensor<4x5xf32>, tensor<4x5xf32>, tensor<2x3xf32>, tensor<3xi64>
}

// CHECK-LABEL: func.func @elementwise(
// CHECK: nn.add %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
// CHECK: nn.sub %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<f32>) -> tensor<?x4xf32>
// CHECK: nn.mul %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
// CHECK: nn.div %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
// CHECK: nn.neg %{{.*}} : tensor<?x4xf32>
// CHECK: nn.exp %{{.*}} : tensor<?x4xf32>
// CHECK: nn.log %{{.*}} : tensor<?x4xf32>
// CHECK: nn.sqrt %{{.*}} : tensor<?x4xf32>
// CHECK: nn.pow %{{.*}} {exponent = 2.000000e+00 : f64} : tensor<?x4xf32>
// CHECK: nn.sign %{{.*}} : tensor<?x4xf32>
func.func @elementwise(%a: tensor<?x4xf32>, %b: tensor<4xf32>, %s: tensor<f32>) -> tensor<?x4xf32> {
  %0 = nn.add %a, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %1 = nn.sub %0, %s : (tensor<?x4xf32>, tensor<f32>) -> tensor<?x4xf32>
  %2 = nn.mul %1, %a : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %3 = nn.div %2, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %4 = nn.neg %3 : tensor<?x4xf32>
  %5 = nn.exp %4 : tensor<?x4xf32>
  %6 = nn.log %5 : tensor<?x4xf32>
  %7 = nn.sqrt %6 : tensor<?x4xf32>
  %8 = nn.pow %7 {exponent = 2.0 : f64} : tensor<?x4xf32>
  %9 = nn.sign %8 : tensor<?x4xf32>
  return %9 : tensor<?x4xf32>
}

// CHECK-LABEL: func.func @activations(
// CHECK: nn.relu %{{.*}} : tensor<?x8xf32>
// CHECK: nn.leaky_relu %{{.*}} {slope = 2.000000e-01 : f64} : tensor<?x8xf32>
// CHECK: nn.leaky_relu %{{.*}} : tensor<?x8xf32>
// CHECK: nn.sigmoid %{{.*}} : tensor<?x8xf32>
// CHECK: nn.tanh %{{.*}} : tensor<?x8xf32>
// CHECK: nn.gelu %{{.*}} : tensor<?x8xf32>
// CHECK: nn.softmax %{{.*}} {axis = 1 : i64} : tensor<?x8xf32>
// CHECK: nn.log_softmax %{{.*}} {axis = 1 : i64} : tensor<?x8xf32>
func.func @activations(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = nn.relu %x : tensor<?x8xf32>
  %1 = nn.leaky_relu %0 {slope = 0.2 : f64} : tensor<?x8xf32>
  %2 = nn.leaky_relu %1 : tensor<?x8xf32>
  %3 = nn.sigmoid %2 : tensor<?x8xf32>
  %4 = nn.tanh %3 : tensor<?x8xf32>
  %5 = nn.gelu %4 : tensor<?x8xf32>
  %6 = nn.softmax %5 {axis = 1 : i64} : tensor<?x8xf32>
  %7 = nn.log_softmax %6 {axis = 1 : i64} : tensor<?x8xf32>
  return %7 : tensor<?x8xf32>
}

// CHECK-LABEL: func.func @linalg(
// CHECK: nn.matmul %{{.*}}, %{{.*}} : (tensor<?x784xf32>, tensor<784x512xf32>) -> tensor<?x512xf32>
// CHECK: nn.matmul %{{.*}}, %{{.*}} : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
func.func @linalg(%x: tensor<?x784xf32>, %w: tensor<784x512xf32>, %a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) -> (tensor<?x512xf32>, tensor<2x3x5xf32>) {
  %0 = nn.matmul %x, %w : (tensor<?x784xf32>, tensor<784x512xf32>) -> tensor<?x512xf32>
  %1 = nn.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  return %0, %1 : tensor<?x512xf32>, tensor<2x3x5xf32>
}

// CHECK-LABEL: func.func @reductions(
// CHECK: nn.sum %{{.*}} {axes = array<i64: 1>} : (tensor<?x10xf32>) -> tensor<?xf32>
// CHECK: nn.mean %{{.*}} {axes = array<i64: 0>, keepdims = true} : (tensor<?x10xf32>) -> tensor<1x10xf32>
// CHECK: nn.max %{{.*}} {axes = array<i64: 1>} : (tensor<?x10xf32>) -> tensor<?xf32>
// CHECK: nn.sum %{{.*}} : (tensor<?x10xf32>) -> tensor<f32>
// CHECK: nn.count %{{.*}} {axes = array<i64: 0>} : (tensor<?x10xf32>) -> tensor<f32>
func.func @reductions(%x: tensor<?x10xf32>) -> (tensor<?xf32>, tensor<1x10xf32>, tensor<?xf32>, tensor<f32>, tensor<f32>) {
  %0 = nn.sum %x {axes = array<i64: 1>} : (tensor<?x10xf32>) -> tensor<?xf32>
  %1 = nn.mean %x {axes = array<i64: 0>, keepdims = true} : (tensor<?x10xf32>) -> tensor<1x10xf32>
  %2 = nn.max %x {axes = array<i64: 1>} : (tensor<?x10xf32>) -> tensor<?xf32>
  %3 = nn.sum %x : (tensor<?x10xf32>) -> tensor<f32>
  %4 = nn.count %x {axes = array<i64: 0>} : (tensor<?x10xf32>) -> tensor<f32>
  return %0, %1, %2, %3, %4 : tensor<?xf32>, tensor<1x10xf32>, tensor<?xf32>, tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @shapes(
// CHECK: nn.reshape %{{.*}} : (tensor<?x1x28x28xf32>) -> tensor<?x784xf32>
// CHECK: nn.transpose %{{.*}} {perm = array<i64: 1, 0>} : (tensor<784x512xf32>) -> tensor<512x784xf32>
// CHECK: nn.broadcast_to %{{.*}} : (tensor<10xf32>) -> tensor<4x10xf32>
// CHECK: nn.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<?x3xf32>, tensor<?x5xf32>) -> tensor<?x8xf32>
// CHECK: nn.slice %{{.*}} {limits = array<i64: -1, 6>, starts = array<i64: 0, 2>, strides = array<i64: 1, 1>} : (tensor<?x8xf32>) -> tensor<?x4xf32>
func.func @shapes(%x: tensor<?x1x28x28xf32>, %w: tensor<784x512xf32>, %v: tensor<10xf32>, %a: tensor<?x3xf32>, %b: tensor<?x5xf32>) -> (tensor<?x784xf32>, tensor<512x784xf32>, tensor<4x10xf32>, tensor<?x8xf32>, tensor<?x4xf32>) {
  %0 = nn.reshape %x : (tensor<?x1x28x28xf32>) -> tensor<?x784xf32>
  %1 = nn.transpose %w {perm = array<i64: 1, 0>} : (tensor<784x512xf32>) -> tensor<512x784xf32>
  %2 = nn.broadcast_to %v : (tensor<10xf32>) -> tensor<4x10xf32>
  %3 = nn.concat %a, %b {axis = 1 : i64} : (tensor<?x3xf32>, tensor<?x5xf32>) -> tensor<?x8xf32>
  %4 = nn.slice %3 {starts = array<i64: 0, 2>, limits = array<i64: -1, 6>, strides = array<i64: 1, 1>} : (tensor<?x8xf32>) -> tensor<?x4xf32>
  return %0, %1, %2, %3, %4 : tensor<?x784xf32>, tensor<512x784xf32>, tensor<4x10xf32>, tensor<?x8xf32>, tensor<?x4xf32>
}

// CHECK-LABEL: func.func @split(
// CHECK: %{{.*}}:2 = nn.split %{{.*}} {axis = 1 : i64} : (tensor<?x5xf32>) -> (tensor<?x2xf32>, tensor<?x3xf32>)
func.func @split(%x: tensor<?x5xf32>) -> (tensor<?x2xf32>, tensor<?x3xf32>) {
  %a, %b = nn.split %x {axis = 1 : i64} : (tensor<?x5xf32>) -> (tensor<?x2xf32>, tensor<?x3xf32>)
  return %a, %b : tensor<?x2xf32>, tensor<?x3xf32>
}

// CHECK-LABEL: func.func @layers(
// CHECK: nn.conv2d %{{.*}}, %{{.*}}, %{{.*}} {padding = array<i64: 1, 1>} : (tensor<?x1x28x28xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<?x8x28x28xf32>
// CHECK: nn.conv2d %{{.*}}, %{{.*}} {padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x1x28x28xf32>, tensor<8x1x3x3xf32>) -> tensor<?x8x14x14xf32>
// CHECK: nn.batch_norm_train %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64} : (tensor<?x8x28x28xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<?x8x28x28xf32>, tensor<8xf32>, tensor<8xf32>)
// CHECK: nn.batch_norm_infer %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x8x28x28xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x8x28x28xf32>
// CHECK: nn.dropout %{{.*}}, %{{.*}} {p = 2.000000e-01 : f64} : (tensor<?x8x28x28xf32>, tensor<i64>) -> tensor<?x8x28x28xf32>
// CHECK: nn.max_pool2d %{{.*}} {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x8x28x28xf32>) -> tensor<?x8x14x14xf32>
// CHECK: nn.avg_pool2d %{{.*}} {kernel = array<i64: 3, 3>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x8x28x28xf32>) -> tensor<?x8x14x14xf32>
func.func @layers(%x: tensor<?x1x28x28xf32>, %w: tensor<8x1x3x3xf32>, %b: tensor<8xf32>, %g: tensor<8xf32>, %beta: tensor<8xf32>, %seed: tensor<i64>) -> (tensor<?x8x14x14xf32>, tensor<?x8x14x14xf32>, tensor<8xf32>, tensor<8xf32>, tensor<?x8x28x28xf32>) {
  %0 = nn.conv2d %x, %w, %b {padding = array<i64: 1, 1>} : (tensor<?x1x28x28xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<?x8x28x28xf32>
  %1 = nn.conv2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, groups = 1 : i64} : (tensor<?x1x28x28xf32>, tensor<8x1x3x3xf32>) -> tensor<?x8x14x14xf32>
  %y, %mean, %var = nn.batch_norm_train %0, %g, %beta {epsilon = 1.0e-3 : f64} : (tensor<?x8x28x28xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<?x8x28x28xf32>, tensor<8xf32>, tensor<8xf32>)
  %2 = nn.batch_norm_infer %y, %g, %beta, %mean, %var : (tensor<?x8x28x28xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x8x28x28xf32>
  %3 = nn.dropout %2, %seed {p = 0.2 : f64} : (tensor<?x8x28x28xf32>, tensor<i64>) -> tensor<?x8x28x28xf32>
  %4 = nn.max_pool2d %3 {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x8x28x28xf32>) -> tensor<?x8x14x14xf32>
  %5 = nn.avg_pool2d %3 {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x8x28x28xf32>) -> tensor<?x8x14x14xf32>
  return %4, %5, %mean, %var, %3 : tensor<?x8x14x14xf32>, tensor<?x8x14x14xf32>, tensor<8xf32>, tensor<8xf32>, tensor<?x8x28x28xf32>
}

// CHECK-LABEL: func.func @losses(
// CHECK: nn.mse %{{.*}}, %{{.*}} : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
// CHECK: nn.l1 %{{.*}}, %{{.*}} : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
// CHECK: nn.bce %{{.*}}, %{{.*}} : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
// CHECK: nn.bce_with_logits %{{.*}}, %{{.*}} : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
// CHECK: nn.cross_entropy %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
// CHECK: nn.cross_entropy %{{.*}}, %{{.*}}, %{{.*}} {label_smoothing = 1.000000e-01 : f64} : (tensor<?x10xf32>, tensor<?xi64>, tensor<10xf32>) -> tensor<f32>
// CHECK: nn.nll %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
func.func @losses(%p: tensor<?x1xf32>, %t: tensor<?x1xf32>, %z: tensor<?x10xf32>, %y: tensor<?xi64>, %w: tensor<10xf32>) -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) {
  %0 = nn.mse %p, %t : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  %1 = nn.l1 %p, %t : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  %2 = nn.bce %p, %t : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  %3 = nn.bce_with_logits %p, %t : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  %4 = nn.cross_entropy %z, %y : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
  %5 = nn.cross_entropy %z, %y, %w {label_smoothing = 0.1 : f64} : (tensor<?x10xf32>, tensor<?xi64>, tensor<10xf32>) -> tensor<f32>
  %6 = nn.nll %z, %y : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @sequence_loss(
// CHECK: nn.cross_entropy %{{.*}}, %{{.*}} : (tensor<?x16x70xf32>, tensor<?x16xi64>) -> tensor<f32>
func.func @sequence_loss(%z: tensor<?x16x70xf32>, %y: tensor<?x16xi64>) -> tensor<f32> {
  %0 = nn.cross_entropy %z, %y : (tensor<?x16x70xf32>, tensor<?x16xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @helpers(
// CHECK: nn.sum_to %{{.*}}, %{{.*}} : (tensor<?x512xf32>, tensor<512xf32>) -> tensor<512xf32>
// CHECK: nn.broadcast_like %{{.*}}, %{{.*}} {axes = array<i64: 1>} : (tensor<?xf32>, tensor<?x10xf32>) -> tensor<?x10xf32>
// CHECK: nn.relu_grad %{{.*}}, %{{.*}} : tensor<?x10xf32>
// CHECK: nn.relu_grad %{{.*}}, %{{.*}} {slope = 1.000000e-02 : f64} : tensor<?x10xf32>
// CHECK: nn.gelu_grad %{{.*}}, %{{.*}} : tensor<?x10xf32>
// CHECK: nn.max_grad %{{.*}}, %{{.*}} {axes = array<i64: 1>} : (tensor<?xf32>, tensor<?x10xf32>) -> tensor<?x10xf32>
func.func @helpers(%g: tensor<?x512xf32>, %b: tensor<512xf32>, %s: tensor<?xf32>, %x: tensor<?x10xf32>, %gx: tensor<?x10xf32>) -> (tensor<512xf32>, tensor<?x10xf32>, tensor<?x10xf32>, tensor<?x10xf32>, tensor<?x10xf32>, tensor<?x10xf32>) {
  %0 = nn.sum_to %g, %b : (tensor<?x512xf32>, tensor<512xf32>) -> tensor<512xf32>
  %1 = nn.broadcast_like %s, %x {axes = array<i64: 1>} : (tensor<?xf32>, tensor<?x10xf32>) -> tensor<?x10xf32>
  %2 = nn.relu_grad %gx, %x : tensor<?x10xf32>
  %3 = nn.relu_grad %gx, %x {slope = 0.01 : f64} : tensor<?x10xf32>
  %4 = nn.gelu_grad %gx, %x : tensor<?x10xf32>
  %5 = nn.max_grad %s, %x {axes = array<i64: 1>} : (tensor<?xf32>, tensor<?x10xf32>) -> tensor<?x10xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<512xf32>, tensor<?x10xf32>, tensor<?x10xf32>, tensor<?x10xf32>, tensor<?x10xf32>, tensor<?x10xf32>
}

// CHECK-LABEL: func.func @layer_grads(
// CHECK: nn.conv2d_grad_input %{{.*}}, %{{.*}}, %{{.*}} {padding = array<i64: 1, 1>} : (tensor<?x8x28x28xf32>, tensor<8x1x3x3xf32>, tensor<?x1x28x28xf32>) -> tensor<?x1x28x28xf32>
// CHECK: nn.conv2d_grad_weight %{{.*}}, %{{.*}}, %{{.*}} {padding = array<i64: 1, 1>} : (tensor<?x8x28x28xf32>, tensor<?x1x28x28xf32>, tensor<8x1x3x3xf32>) -> tensor<8x1x3x3xf32>
// CHECK: nn.max_pool2d_grad %{{.*}}, %{{.*}} {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x8x14x14xf32>, tensor<?x8x28x28xf32>) -> tensor<?x8x28x28xf32>
// CHECK: nn.avg_pool2d_grad %{{.*}}, %{{.*}} {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x8x14x14xf32>, tensor<?x8x28x28xf32>) -> tensor<?x8x28x28xf32>
// CHECK: nn.batch_norm_grad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {training = false} : (tensor<?x8x28x28xf32>, tensor<?x8x28x28xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<?x8x28x28xf32>, tensor<8xf32>, tensor<8xf32>)
// CHECK: nn.slice_grad %{{.*}}, %{{.*}} {limits = array<i64: -1, 6>, starts = array<i64: 0, 2>, strides = array<i64: 1, 1>} : (tensor<?x4xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
func.func @layer_grads(%g: tensor<?x8x28x28xf32>, %w: tensor<8x1x3x3xf32>, %x: tensor<?x1x28x28xf32>, %gp: tensor<?x8x14x14xf32>, %y: tensor<?x8x28x28xf32>, %gamma: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>, %s: tensor<?x4xf32>, %r: tensor<?x8xf32>) -> (tensor<?x1x28x28xf32>, tensor<8x1x3x3xf32>, tensor<?x8x28x28xf32>, tensor<?x8x28x28xf32>, tensor<?x8x28x28xf32>, tensor<8xf32>, tensor<8xf32>, tensor<?x8xf32>) {
  %0 = nn.conv2d_grad_input %g, %w, %x {padding = array<i64: 1, 1>} : (tensor<?x8x28x28xf32>, tensor<8x1x3x3xf32>, tensor<?x1x28x28xf32>) -> tensor<?x1x28x28xf32>
  %1 = nn.conv2d_grad_weight %g, %x, %w {padding = array<i64: 1, 1>} : (tensor<?x8x28x28xf32>, tensor<?x1x28x28xf32>, tensor<8x1x3x3xf32>) -> tensor<8x1x3x3xf32>
  %2 = nn.max_pool2d_grad %gp, %y {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x8x14x14xf32>, tensor<?x8x28x28xf32>) -> tensor<?x8x28x28xf32>
  %3 = nn.avg_pool2d_grad %gp, %y {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x8x14x14xf32>, tensor<?x8x28x28xf32>) -> tensor<?x8x28x28xf32>
  %dx, %dg, %db = nn.batch_norm_grad %g, %y, %gamma, %m, %v {training = false} : (tensor<?x8x28x28xf32>, tensor<?x8x28x28xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<?x8x28x28xf32>, tensor<8xf32>, tensor<8xf32>)
  %4 = nn.slice_grad %s, %r {starts = array<i64: 0, 2>, limits = array<i64: -1, 6>, strides = array<i64: 1, 1>} : (tensor<?x4xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %0, %1, %2, %3, %dx, %dg, %db, %4 : tensor<?x1x28x28xf32>, tensor<8x1x3x3xf32>, tensor<?x8x28x28xf32>, tensor<?x8x28x28xf32>, tensor<?x8x28x28xf32>, tensor<8xf32>, tensor<8xf32>, tensor<?x8xf32>
}

// CHECK-LABEL: func.func @loss_grads(
// CHECK: nn.cross_entropy_grad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {label_smoothing = 1.000000e-01 : f64} : (tensor<f32>, tensor<?x10xf32>, tensor<?xi64>, tensor<10xf32>) -> tensor<?x10xf32>
// CHECK: nn.nll_grad %{{.*}}, %{{.*}}, %{{.*}} : (tensor<f32>, tensor<?x10xf32>, tensor<?xi64>) -> tensor<?x10xf32>
func.func @loss_grads(%g: tensor<f32>, %z: tensor<?x10xf32>, %y: tensor<?xi64>, %w: tensor<10xf32>) -> (tensor<?x10xf32>, tensor<?x10xf32>) {
  %0 = nn.cross_entropy_grad %g, %z, %y, %w {label_smoothing = 0.1 : f64} : (tensor<f32>, tensor<?x10xf32>, tensor<?xi64>, tensor<10xf32>) -> tensor<?x10xf32>
  %1 = nn.nll_grad %g, %z, %y : (tensor<f32>, tensor<?x10xf32>, tensor<?xi64>) -> tensor<?x10xf32>
  return %0, %1 : tensor<?x10xf32>, tensor<?x10xf32>
}

// CHECK-LABEL: func.func @one_hot_upsample_bilinear(
// CHECK: nn.one_hot %{{.*}} {classes = 10 : i64} : (tensor<?xi64>) -> tensor<?x10xf32>
// CHECK: nn.upsample_bilinear2d %{{.*}} {scale = 3 : i64} : (tensor<?x8x7x7xf32>) -> tensor<?x8x21x21xf32>
// CHECK: nn.upsample_bilinear2d_grad %{{.*}} {scale = 3 : i64} : (tensor<?x8x21x21xf32>) -> tensor<?x8x7x7xf32>
func.func @one_hot_upsample_bilinear(%y: tensor<?xi64>, %x: tensor<?x8x7x7xf32>) -> (tensor<?x10xf32>, tensor<?x8x7x7xf32>) {
  %h = nn.one_hot %y {classes = 10 : i64} : (tensor<?xi64>) -> tensor<?x10xf32>
  %u = nn.upsample_bilinear2d %x {scale = 3 : i64} : (tensor<?x8x7x7xf32>) -> tensor<?x8x21x21xf32>
  %g = nn.upsample_bilinear2d_grad %u {scale = 3 : i64} : (tensor<?x8x21x21xf32>) -> tensor<?x8x7x7xf32>
  return %h, %g : tensor<?x10xf32>, tensor<?x8x7x7xf32>
}

// CHECK-LABEL: func.func @gather(
// CHECK: nn.gather %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<70x96xf32>, tensor<?x64xi64>) -> tensor<?x64x96xf32>
// CHECK: nn.gather_grad %{{.*}}, %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<?x64x96xf32>, tensor<?x64xi64>, tensor<70x96xf32>) -> tensor<70x96xf32>
func.func @gather(%w: tensor<70x96xf32>, %ids: tensor<?x64xi64>) -> tensor<70x96xf32> {
  %e = nn.gather %w, %ids {axis = 0 : i64} : (tensor<70x96xf32>, tensor<?x64xi64>) -> tensor<?x64x96xf32>
  %g = nn.gather_grad %e, %ids, %w {axis = 0 : i64} : (tensor<?x64x96xf32>, tensor<?x64xi64>, tensor<70x96xf32>) -> tensor<70x96xf32>
  return %g : tensor<70x96xf32>
}
