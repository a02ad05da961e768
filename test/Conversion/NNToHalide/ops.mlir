// Ops and attribute combinations the gradient-check files do not reach:
// random initialisers, keepdims reductions and their gradients, grouped,
// strided and dilated convolution gradients, padded pooling gradients,
// weighted losses and their gradients, inference batch-norm gradients.
// RUN: dlc-halide-check %s --groups=op | FileCheck %s
// RUN: dlc-halide-check %s --groups=function | FileCheck %s
// RUN: dlc-halide-check %s --groups=op --dynamic-size=9 --seed=5 | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: ALL PASS

func.func @init(%seed: tensor<i64>) -> (tensor<7x33xf32>, tensor<5x4x3xf32>) {
  %u = nn.init_uniform %seed {low = -0.5 : f64, high = 0.25 : f64} : (tensor<i64>) -> tensor<7x33xf32>
  %n = nn.init_normal %seed {mean = 1.0 : f64, std = 0.1 : f64} : (tensor<i64>) -> tensor<5x4x3xf32>
  return %u, %n : tensor<7x33xf32>, tensor<5x4x3xf32>
}

func.func @dropout(%x: tensor<?x37xf32>, %seed: tensor<i64>) -> tensor<?x37xf32> {
  %y = nn.dropout %x, %seed {p = 0.3 : f64} : (tensor<?x37xf32>, tensor<i64>) -> tensor<?x37xf32>
  return %y : tensor<?x37xf32>
}

func.func @max_keepdims(%x: tensor<?x3x4xf32>, %g: tensor<?x1x4xf32>) -> (tensor<?x1x4xf32>, tensor<?x3x4xf32>, tensor<1x3x1xf32>) {
  %m = nn.max %x {axes = array<i64: 1>, keepdims = true} : (tensor<?x3x4xf32>) -> tensor<?x1x4xf32>
  %d = nn.max_grad %g, %x {axes = array<i64: 1>, keepdims = true} : (tensor<?x1x4xf32>, tensor<?x3x4xf32>) -> tensor<?x3x4xf32>
  %s = nn.mean %x {axes = array<i64: 0, 2>, keepdims = true} : (tensor<?x3x4xf32>) -> tensor<1x3x1xf32>
  return %m, %d, %s : tensor<?x1x4xf32>, tensor<?x3x4xf32>, tensor<1x3x1xf32>
}

func.func @max_all(%x: tensor<4x5xf32>, %g: tensor<f32>) -> (tensor<f32>, tensor<4x5xf32>) {
  %m = nn.max %x : (tensor<4x5xf32>) -> tensor<f32>
  %d = nn.max_grad %g, %x : (tensor<f32>, tensor<4x5xf32>) -> tensor<4x5xf32>
  return %m, %d : tensor<f32>, tensor<4x5xf32>
}

func.func @shapes(%a: tensor<2x?x3xf32>, %b: tensor<2x?x3xf32>, %r: tensor<4x?x5xf32>) -> (tensor<4x?x3xf32>, tensor<?x3xf32>, tensor<4x?x5xf32>, tensor<f32>, tensor<2x?x3xf32>) {
  %c = nn.concat %a, %b {axis = 0 : i64} : (tensor<2x?x3xf32>, tensor<2x?x3xf32>) -> tensor<4x?x3xf32>
  %t = nn.slice %c {starts = array<i64: 1, 0, 0>, limits = array<i64: 2, -1, 3>, strides = array<i64: 1, 1, 1>} : (tensor<4x?x3xf32>) -> tensor<1x?x3xf32>
  %s = nn.sum_to %c, %t : (tensor<4x?x3xf32>, tensor<1x?x3xf32>) -> tensor<1x?x3xf32>
  %f = nn.reshape %t : (tensor<1x?x3xf32>) -> tensor<?x3xf32>
  %k = nn.slice %r {starts = array<i64: 0, 0, 1>, limits = array<i64: 4, -1, 5>, strides = array<i64: 2, 1, 2>} : (tensor<4x?x5xf32>) -> tensor<2x?x2xf32>
  %kg = nn.slice_grad %k, %r {starts = array<i64: 0, 0, 1>, limits = array<i64: 4, -1, 5>, strides = array<i64: 2, 1, 2>} : (tensor<2x?x2xf32>, tensor<4x?x5xf32>) -> tensor<4x?x5xf32>
  %n = nn.count %r {axes = array<i64: 1, 2>} : (tensor<4x?x5xf32>) -> tensor<f32>
  %z = nn.zeros_like %a : tensor<2x?x3xf32>
  %zs = nn.add %z, %s : (tensor<2x?x3xf32>, tensor<1x?x3xf32>) -> tensor<2x?x3xf32>
  return %c, %f, %kg, %n, %zs : tensor<4x?x3xf32>, tensor<?x3xf32>, tensor<4x?x5xf32>, tensor<f32>, tensor<2x?x3xf32>
}

// nn.split: pieces of a dynamic-batch tensor along a middle axis (one
// kernel, three outputs) and of a static one along the first.
func.func @split(%x: tensor<?x7x3xf32>, %y: tensor<4x5xf32>) -> (tensor<?x1x3xf32>, tensor<?x4x3xf32>, tensor<?x2x3xf32>, tensor<1x5xf32>, tensor<3x5xf32>) {
  %a, %b, %c = nn.split %x {axis = 1 : i64} : (tensor<?x7x3xf32>) -> (tensor<?x1x3xf32>, tensor<?x4x3xf32>, tensor<?x2x3xf32>)
  %d, %e = nn.split %y {axis = 0 : i64} : (tensor<4x5xf32>) -> (tensor<1x5xf32>, tensor<3x5xf32>)
  return %a, %b, %c, %d, %e : tensor<?x1x3xf32>, tensor<?x4x3xf32>, tensor<?x2x3xf32>, tensor<1x5xf32>, tensor<3x5xf32>
}

func.func @broadcasts(%x: tensor<3x1xf32>, %r: tensor<?x3x4xf32>, %s: tensor<?xf32>) -> (tensor<?x3x4xf32>, tensor<2x3x4xf32>, tensor<?x3x4xf32>) {
  %a = nn.broadcast_like %x, %r : (tensor<3x1xf32>, tensor<?x3x4xf32>) -> tensor<?x3x4xf32>
  %b = nn.broadcast_to %x : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %m = nn.sum %r {axes = array<i64: 1, 2>} : (tensor<?x3x4xf32>) -> tensor<?xf32>
  %p = nn.mul %m, %s : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %c = nn.broadcast_like %p, %r {axes = array<i64: 1, 2>} : (tensor<?xf32>, tensor<?x3x4xf32>) -> tensor<?x3x4xf32>
  return %a, %b, %c : tensor<?x3x4xf32>, tensor<2x3x4xf32>, tensor<?x3x4xf32>
}

func.func @activations(%x: tensor<?x13xf32>, %g: tensor<?x13xf32>) -> (tensor<?x13xf32>, tensor<?x13xf32>, tensor<?x13xf32>, tensor<?x13xf32>, tensor<?x13xf32>) {
  %a = nn.leaky_relu %x {slope = 0.2 : f64} : tensor<?x13xf32>
  %b = nn.relu_grad %g, %x {slope = 0.2 : f64} : tensor<?x13xf32>
  %c = nn.gelu_grad %g, %x : tensor<?x13xf32>
  %d = nn.sign %x : tensor<?x13xf32>
  %e = nn.pow %x {exponent = -1.0 : f64} : tensor<?x13xf32>
  return %a, %b, %c, %d, %e : tensor<?x13xf32>, tensor<?x13xf32>, tensor<?x13xf32>, tensor<?x13xf32>, tensor<?x13xf32>
}

func.func @conv_grads(%g: tensor<?x6x3x3xf32>, %w: tensor<6x2x3x2xf32>, %x: tensor<?x4x7x6xf32>) -> (tensor<?x4x7x6xf32>, tensor<6x2x3x2xf32>, tensor<?x6x3x3xf32>) {
  %dx = nn.conv2d_grad_input %g, %w, %x {stride = array<i64: 2, 2>, padding = array<i64: 1, 0>, dilation = array<i64: 2, 1>, groups = 2 : i64} : (tensor<?x6x3x3xf32>, tensor<6x2x3x2xf32>, tensor<?x4x7x6xf32>) -> tensor<?x4x7x6xf32>
  %dw = nn.conv2d_grad_weight %g, %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 0>, dilation = array<i64: 2, 1>, groups = 2 : i64} : (tensor<?x6x3x3xf32>, tensor<?x4x7x6xf32>, tensor<6x2x3x2xf32>) -> tensor<6x2x3x2xf32>
  %y = nn.conv2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 0>, dilation = array<i64: 2, 1>, groups = 2 : i64} : (tensor<?x4x7x6xf32>, tensor<6x2x3x2xf32>) -> tensor<?x6x3x3xf32>
  return %dx, %dw, %y : tensor<?x4x7x6xf32>, tensor<6x2x3x2xf32>, tensor<?x6x3x3xf32>
}

func.func @pool_grads(%x: tensor<?x3x7x7xf32>, %g: tensor<?x3x4x4xf32>) -> (tensor<?x3x4x4xf32>, tensor<?x3x7x7xf32>, tensor<?x3x4x4xf32>, tensor<?x3x7x7xf32>) {
  %m = nn.max_pool2d %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x3x7x7xf32>) -> tensor<?x3x4x4xf32>
  %dm = nn.max_pool2d_grad %g, %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x3x4x4xf32>, tensor<?x3x7x7xf32>) -> tensor<?x3x7x7xf32>
  %a = nn.avg_pool2d %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x3x7x7xf32>) -> tensor<?x3x4x4xf32>
  %da = nn.avg_pool2d_grad %g, %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x3x4x4xf32>, tensor<?x3x7x7xf32>) -> tensor<?x3x7x7xf32>
  return %m, %dm, %a, %da : tensor<?x3x4x4xf32>, tensor<?x3x7x7xf32>, tensor<?x3x4x4xf32>, tensor<?x3x7x7xf32>
}

func.func @losses(%z: tensor<?x5xf32>, %y: tensor<?xi64>, %w: tensor<5xf32>, %g: tensor<f32>) -> (tensor<f32>, tensor<?x5xf32>, tensor<f32>, tensor<?x5xf32>) {
  %l = nn.cross_entropy %z, %y, %w {label_smoothing = 0.2 : f64} : (tensor<?x5xf32>, tensor<?xi64>, tensor<5xf32>) -> tensor<f32>
  %dl = nn.cross_entropy_grad %g, %z, %y, %w {label_smoothing = 0.2 : f64} : (tensor<f32>, tensor<?x5xf32>, tensor<?xi64>, tensor<5xf32>) -> tensor<?x5xf32>
  %n = nn.nll %z, %y, %w : (tensor<?x5xf32>, tensor<?xi64>, tensor<5xf32>) -> tensor<f32>
  %dn = nn.nll_grad %g, %z, %y, %w : (tensor<f32>, tensor<?x5xf32>, tensor<?xi64>, tensor<5xf32>) -> tensor<?x5xf32>
  return %l, %dl, %n, %dn : tensor<f32>, tensor<?x5xf32>, tensor<f32>, tensor<?x5xf32>
}

func.func @batch_norm_infer_grad(%g: tensor<?x3x2x5xf32>, %x: tensor<?x3x2x5xf32>, %gamma: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> (tensor<?x3x2x5xf32>, tensor<3xf32>, tensor<3xf32>) {
  %dx, %dg, %db = nn.batch_norm_grad %g, %x, %gamma, %m, %v {epsilon = 1.0e-3 : f64, training = false} : (tensor<?x3x2x5xf32>, tensor<?x3x2x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x2x5xf32>, tensor<3xf32>, tensor<3xf32>)
  return %dx, %dg, %db : tensor<?x3x2x5xf32>, tensor<3xf32>, tensor<3xf32>
}

func.func @constants() -> (tensor<2x3xf32>, tensor<4xf32>) {
  %c = nn.constant dense<[[1.0, -2.0, 3.5], [0.25, 0.0, -7.0]]> : tensor<2x3xf32>
  %s = nn.constant dense<2.5> : tensor<4xf32>
  return %c, %s : tensor<2x3xf32>, tensor<4xf32>
}
