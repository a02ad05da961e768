// Forward semantics of the reference evaluator against hand-computed values.
// RUN: dlc-eval %s | FileCheck %s

// CHECK-LABEL: @matmul
// CHECK-NEXT: result 0: 2x2 [19, 22, 43, 50]
func.func @matmul() -> tensor<2x2xf32> {
  %a = nn.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = nn.constant dense<[[5.0, 6.0], [7.0, 8.0]]> : tensor<2x2xf32>
  %c = nn.matmul %a, %b : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %c : tensor<2x2xf32>
}

// Broadcasting [2,1] + [3] and a scalar division.
// CHECK-LABEL: @broadcast
// CHECK-NEXT: result 0: 2x3 [5.5, 6, 6.5, 10.5, 11, 11.5]
func.func @broadcast() -> tensor<2x3xf32> {
  %a = nn.constant dense<[[10.0], [20.0]]> : tensor<2x1xf32>
  %b = nn.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %two = nn.constant dense<2.0> : tensor<f32>
  %s = nn.add %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %d = nn.div %s, %two : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %d : tensor<2x3xf32>
}

// CHECK-LABEL: @activations
// CHECK-NEXT: result 0: 3 [0, 0, 1]
// CHECK-NEXT: result 1: 3 [-0.1, 0, 1]
// CHECK-NEXT: result 2: 3 [0.2689414214, 0.5, 0.7310585786]
// CHECK-NEXT: result 3: 3 [-0.761594156, 0, 0.761594156]
// CHECK-NEXT: result 4: 3 [-0.1586552539, 0, 0.8413447461]
func.func @activations() -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %x = nn.constant dense<[-1.0, 0.0, 1.0]> : tensor<3xf32>
  %0 = nn.relu %x : tensor<3xf32>
  %1 = nn.leaky_relu %x {slope = 0.1 : f64} : tensor<3xf32>
  %2 = nn.sigmoid %x : tensor<3xf32>
  %3 = nn.tanh %x : tensor<3xf32>
  %4 = nn.gelu %x : tensor<3xf32>
  return %0, %1, %2, %3, %4 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// CHECK-LABEL: @softmax
// CHECK-NEXT: result 0: 1x3 [0.09003057317, 0.2447284711, 0.6652409558]
// CHECK-NEXT: result 1: 1x3 [-2.407605964, -1.407605964, -0.4076059644]
func.func @softmax() -> (tensor<1x3xf32>, tensor<1x3xf32>) {
  %x = nn.constant dense<[[1.0, 2.0, 3.0]]> : tensor<1x3xf32>
  %0 = nn.softmax %x {axis = 1 : i64} : tensor<1x3xf32>
  %1 = nn.log_softmax %x {axis = 1 : i64} : tensor<1x3xf32>
  return %0, %1 : tensor<1x3xf32>, tensor<1x3xf32>
}

// CHECK-LABEL: @reductions
// CHECK-NEXT: result 0: 2 [6, 15]
// CHECK-NEXT: result 1: 1x3 [2.5, 3.5, 4.5]
// CHECK-NEXT: result 2: 2 [3, 6]
// CHECK-NEXT: result 3: scalar [6]
func.func @reductions() -> (tensor<2xf32>, tensor<1x3xf32>, tensor<2xf32>, tensor<f32>) {
  %x = nn.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = nn.sum %x {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  %1 = nn.mean %x {axes = array<i64: 0>, keepdims = true} : (tensor<2x3xf32>) -> tensor<1x3xf32>
  %2 = nn.max %x {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  %3 = nn.count %x : (tensor<2x3xf32>) -> tensor<f32>
  return %0, %1, %2, %3 : tensor<2xf32>, tensor<1x3xf32>, tensor<2xf32>, tensor<f32>
}

// CHECK-LABEL: @shapes
// CHECK-NEXT: result 0: 3x2 [1, 4, 2, 5, 3, 6]
// CHECK-NEXT: result 1: 3x2 [1, 2, 3, 4, 5, 6]
// CHECK-NEXT: result 2: 2x5 [1, 2, 3, 1, 2, 4, 5, 6, 4, 5]
// CHECK-NEXT: result 3: 2x2 [1, 3, 4, 6]
// CHECK-NEXT: result 4: 2x3 [7, 8, 9, 7, 8, 9]
func.func @shapes() -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<2x5xf32>, tensor<2x2xf32>, tensor<2x3xf32>) {
  %x = nn.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %v = nn.constant dense<[7.0, 8.0, 9.0]> : tensor<3xf32>
  %0 = nn.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %1 = nn.reshape %x : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %2 = nn.concat %x, %x {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  %3 = nn.slice %2 {starts = array<i64: 0, 0>, limits = array<i64: -1, 5>, strides = array<i64: 1, 1>} : (tensor<2x6xf32>) -> tensor<2x5xf32>
  %4 = nn.slice %x {starts = array<i64: 0, 0>, limits = array<i64: 2, 3>, strides = array<i64: 1, 2>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  %5 = nn.broadcast_to %v : (tensor<3xf32>) -> tensor<2x3xf32>
  return %0, %1, %3, %4, %5 : tensor<3x2xf32>, tensor<3x2xf32>, tensor<2x5xf32>, tensor<2x2xf32>, tensor<2x3xf32>
}

// nn.split along the last axis and along the first.
// CHECK-LABEL: @split
// CHECK-NEXT: result 0: 2x1 [1, 4]
// CHECK-NEXT: result 1: 2x2 [2, 3, 5, 6]
// CHECK-NEXT: result 2: 1x3 [4, 5, 6]
func.func @split() -> (tensor<2x1xf32>, tensor<2x2xf32>, tensor<1x3xf32>) {
  %x = nn.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %a, %b = nn.split %x {axis = 1 : i64} : (tensor<2x3xf32>) -> (tensor<2x1xf32>, tensor<2x2xf32>)
  %c, %d = nn.split %x {axis = 0 : i64} : (tensor<2x3xf32>) -> (tensor<1x3xf32>, tensor<1x3xf32>)
  return %a, %b, %d : tensor<2x1xf32>, tensor<2x2xf32>, tensor<1x3xf32>
}

// x = 1..9 as 3x3, kernel [[1, 0], [0, -1]].
// CHECK-LABEL: @conv2d
// CHECK-NEXT: result 0: 1x1x2x2 [-4, -4, -4, -4]
// CHECK-NEXT: result 1: 1x1x2x2 [-1, -3, -7, -4]
// CHECK-NEXT: result 2: 1x2x3x3 [-4.5, -5.5, 0.5, -7.5, -7.5, 2.5, 0.5, 4.5, 5.5, -1.5, 2.5, 3.5, 0.5, 8.5, 6.5, 3.5, 4.5, -1.5]
func.func @conv2d() -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x2x3x3xf32>) {
  %x = nn.constant dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]]> : tensor<1x1x3x3xf32>
  %w = nn.constant dense<[[[[1.0, 0.0], [0.0, -1.0]]]]> : tensor<1x1x2x2xf32>
  %w2 = nn.constant dense<[[[[1.0, 0.0], [0.0, -1.0]]], [[[0.0, 1.0], [1.0, 0.0]]]]> : tensor<2x1x2x2xf32>
  %b = nn.constant dense<[0.5, -1.5]> : tensor<2xf32>
  %0 = nn.conv2d %x, %w : (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  %1 = nn.conv2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  %2 = nn.conv2d %x, %w2, %b {dilation = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %0, %1, %2 : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x2x3x3xf32>
}

// CHECK-LABEL: @pooling
// CHECK-NEXT: result 0: 1x1x2x2 [5, 6, 8, 9]
// CHECK-NEXT: result 1: 1x1x2x2 [0.25, 1.25, 2.75, 7]
func.func @pooling() -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) {
  %x = nn.constant dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]]> : tensor<1x1x3x3xf32>
  %0 = nn.max_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
  %1 = nn.avg_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
  return %0, %1 : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>
}

// CHECK-LABEL: @batch_norm
// CHECK-NEXT: result 0: 2x2 [-1, 1, 1, 5]
// CHECK-NEXT: result 1: 2 [2, 12]
// CHECK-NEXT: result 2: 2 [1, 4]
// CHECK-NEXT: result 3: 2x2 [0, 4, 4, 8]
func.func @batch_norm() -> (tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2x2xf32>) {
  %x = nn.constant dense<[[1.0, 10.0], [3.0, 14.0]]> : tensor<2x2xf32>
  %g = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = nn.constant dense<[0.0, 3.0]> : tensor<2xf32>
  %rm = nn.constant dense<[1.0, 9.0]> : tensor<2xf32>
  %rv = nn.constant dense<[0.25, 4.0]> : tensor<2xf32>
  %y, %m, %v = nn.batch_norm_train %x, %g, %b {epsilon = 0.0 : f64} : (tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>)
  %i = nn.batch_norm_infer %x, %g, %b, %rm, %rv {epsilon = 0.0 : f64} : (tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %y, %m, %v, %i : tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2x2xf32>
}

// Zero logits give log(3); with weights [1, 1, 2] and smoothing 0.2 it is
// log(3) * (1.0667 + 1.8667) / 3 (PyTorch's weighted, smoothed mean).
// CHECK-LABEL: @losses
// CHECK-NEXT: result 0: scalar [1.098612289]
// CHECK-NEXT: result 1: scalar [1.074198682]
// CHECK-NEXT: result 2: scalar [0.4076059644]
// CHECK-NEXT: result 3: scalar [1.074272631]
// CHECK-NEXT: result 4: scalar [6.5]
// CHECK-NEXT: result 5: scalar [2.5]
// CHECK-NEXT: result 6: scalar [0.6931471806]
// CHECK-NEXT: result 7: scalar [0.6931471806]
// CHECK-NEXT: result 8: scalar [0.4076059644]
func.func @losses() -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) {
  %zero = nn.constant dense<0.0> : tensor<2x3xf32>
  %labels = nn.constant dense<[0, 2]> : tensor<2xi64>
  %w = nn.constant dense<[1.0, 1.0, 2.0]> : tensor<3xf32>
  %z = nn.constant dense<[[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]> : tensor<2x3xf32>
  %two = nn.constant dense<[2, 2]> : tensor<2xi64>
  %0 = nn.cross_entropy %zero, %labels : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<f32>
  %1 = nn.cross_entropy %zero, %labels, %w {label_smoothing = 0.2 : f64} : (tensor<2x3xf32>, tensor<2xi64>, tensor<3xf32>) -> tensor<f32>
  %2 = nn.cross_entropy %z, %two : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<f32>
  // (2.407605964 + 2 * 0.4076059644) / (1 + 2)
  %3 = nn.cross_entropy %z, %labels, %w : (tensor<2x3xf32>, tensor<2xi64>, tensor<3xf32>) -> tensor<f32>
  %p = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %t = nn.constant dense<[3.0, 5.0]> : tensor<2xf32>
  %4 = nn.mse %p, %t : (tensor<2xf32>, tensor<2xf32>) -> tensor<f32>
  %5 = nn.l1 %p, %t : (tensor<2xf32>, tensor<2xf32>) -> tensor<f32>
  %half = nn.constant dense<0.5> : tensor<2xf32>
  %one = nn.constant dense<1.0> : tensor<2xf32>
  %zeros = nn.constant dense<0.0> : tensor<2xf32>
  %6 = nn.bce %half, %one : (tensor<2xf32>, tensor<2xf32>) -> tensor<f32>
  %7 = nn.bce_with_logits %zeros, %one : (tensor<2xf32>, tensor<2xf32>) -> tensor<f32>
  %lp = nn.log_softmax %z {axis = 1 : i64} : tensor<2x3xf32>
  %8 = nn.nll %lp, %two : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<f32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>
}

// p = 0 is the identity; the mask depends on the seed only; kept elements
// are scaled by 1 / (1 - p).
// CHECK-LABEL: @dropout
// CHECK-NEXT: result 0: 8 [1, 1, 1, 1, 1, 1, 1, 1]
// CHECK-NEXT: result 1: 8 [{{[02](, [02])*}}]
// CHECK-NEXT: result 2: scalar [0]
func.func @dropout() -> (tensor<8xf32>, tensor<8xf32>, tensor<f32>) {
  %x = nn.constant dense<1.0> : tensor<8xf32>
  %seed = nn.constant dense<42> : tensor<i64>
  %0 = nn.dropout %x, %seed {p = 0.0 : f64} : (tensor<8xf32>, tensor<i64>) -> tensor<8xf32>
  %1 = nn.dropout %x, %seed {p = 0.5 : f64} : (tensor<8xf32>, tensor<i64>) -> tensor<8xf32>
  %2 = nn.dropout %x, %seed {p = 0.5 : f64} : (tensor<8xf32>, tensor<i64>) -> tensor<8xf32>
  %d = nn.sub %1, %2 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %a = nn.mul %d, %d : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s = nn.sum %a : (tensor<8xf32>) -> tensor<f32>
  return %0, %1, %s : tensor<8xf32>, tensor<8xf32>, tensor<f32>
}

// The counter-based generator (dlc/Dialect/NN/Eval/Random.h) is part of the
// semantics: these values pin it, so that every back end can be compared.
// CHECK-LABEL: @random
// CHECK-NEXT: result 0: 4 [0.4396810114, -0.9470072434, 0.6364976748, -0.0368860276]
// CHECK-NEXT: result 1: 4 [4.146369224, -2.668593324, -3.805604059, -0.3763661915]
func.func @random() -> (tensor<4xf32>, tensor<4xf32>) {
  %seed = nn.constant dense<7> : tensor<i64>
  %u = nn.init_uniform %seed {low = -1.0 : f64, high = 1.0 : f64} : (tensor<i64>) -> tensor<4xf32>
  %n = nn.init_normal %seed {mean = 1.0 : f64, std = 2.0 : f64} : (tensor<i64>) -> tensor<4xf32>
  return %u, %n : tensor<4xf32>, tensor<4xf32>
}
