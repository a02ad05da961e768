// The fusion class (FusionOpInterface::getOpClass, read from the op-class
// trait of the op's ODS entry) and the FLOPs per sample
// (CostOpInterface::getFlopsPerSample) of ops of every class, as reported by
// nn-print-op-info. FLOPs per sample count the static dimensions of the
// result only (the dynamic batch is not counted; a result with no static
// dimension counts 1); the default is one per element of result 0, matmul
// and conv2d count two per multiply-add. The *_grad helpers have no FLOP
// count. No nn op is opaque (NN_Opaque) at present.
// RUN: dlc-opt %s -nn-print-op-info -verify-diagnostics -o /dev/null

// Elementwise and broadcast.
func.func @elementwise(%x: tensor<?x4xf32>, %b: tensor<4xf32>,
                       %g: tensor<?x4xf32>, %seed: tensor<i64>,
                       %y: tensor<?x8x28x28xf32>, %c: tensor<8xf32>) {
  // One per element of ?x4: 4.
  // expected-remark @+1 {{op class: elementwise, FLOPs per sample: 4}}
  %0 = nn.relu %x : tensor<?x4xf32>
  // expected-remark @+1 {{op class: elementwise, FLOPs per sample: 4}}
  %1 = nn.dropout %x, %seed {p = 0.5 : f64} : (tensor<?x4xf32>, tensor<i64>) -> tensor<?x4xf32>
  // A 0-d result: 1.
  // expected-remark @+1 {{op class: elementwise, FLOPs per sample: 1}}
  %2 = nn.constant dense<1.0> : tensor<f32>
  // expected-remark @+1 {{op class: elementwise, no FLOP count}}
  %3 = nn.relu_grad %g, %x : tensor<?x4xf32>
  // (?x4, 4) -> ?x4: 4.
  // expected-remark @+1 {{op class: broadcast, FLOPs per sample: 4}}
  %4 = nn.add %x, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  // ?x8x28x28: 8 * 28 * 28 = 6272.
  // expected-remark @+1 {{op class: broadcast, FLOPs per sample: 6272}}
  %5 = nn.batch_norm_infer %y, %c, %c, %c, %c : (tensor<?x8x28x28xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x8x28x28xf32>
  return
}

// Injective.
func.func @injective(%x: tensor<?x2x3xf32>, %w: tensor<3x5xf32>,
                     %i: tensor<?x2x3x4xf32>) {
  // ?x6: 6.
  // expected-remark @+1 {{op class: injective, FLOPs per sample: 6}}
  %0 = nn.reshape %x : (tensor<?x2x3xf32>) -> tensor<?x6xf32>
  // 5x3: 15.
  // expected-remark @+1 {{op class: injective, FLOPs per sample: 15}}
  %1 = nn.transpose %w {perm = array<i64: 1, 0>} : (tensor<3x5xf32>) -> tensor<5x3xf32>
  // ?x2x6x8: 2 * 6 * 8 = 96.
  // expected-remark @+1 {{op class: injective, FLOPs per sample: 96}}
  %2 = nn.upsample_nearest2d %i {scale = 2 : i64} : (tensor<?x2x3x4xf32>) -> tensor<?x2x6x8xf32>
  return
}

// Reduction (reductions, softmax, losses).
func.func @reduction(%x: tensor<?x10xf32>, %p: tensor<?x1xf32>,
                     %t: tensor<?x1xf32>, %y: tensor<?xi64>) {
  // ? (no static dimension): 1.
  // expected-remark @+1 {{op class: reduction, FLOPs per sample: 1}}
  %0 = nn.sum %x {axes = array<i64: 1>} : (tensor<?x10xf32>) -> tensor<?xf32>
  // 1x10: 10.
  // expected-remark @+1 {{op class: reduction, FLOPs per sample: 10}}
  %1 = nn.mean %x {axes = array<i64: 0>, keepdims = true} : (tensor<?x10xf32>) -> tensor<1x10xf32>
  // ?x10: 10.
  // expected-remark @+1 {{op class: reduction, FLOPs per sample: 10}}
  %2 = nn.softmax %x {axis = 1 : i64} : tensor<?x10xf32>
  // 0-d: 1.
  // expected-remark @+1 {{op class: reduction, FLOPs per sample: 1}}
  %3 = nn.mse %p, %t : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  // expected-remark @+1 {{op class: reduction, FLOPs per sample: 1}}
  %4 = nn.cross_entropy %x, %y : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
  return
}

// Contraction: matmul counts 2 * K * (static elements of the result), K the
// last dimension of the lhs (1 when dynamic); conv2d counts
// 2 * (C/groups * KH * KW) * (static elements of the result), C/groups, KH,
// KW the last three dimensions of the OIHW weight.
func.func @contraction(%x: tensor<?x784xf32>, %w: tensor<784x512xf32>,
                       %a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>,
                       %d: tensor<4x?xf32>, %e: tensor<?x5xf32>,
                       %img: tensor<?x1x28x28xf32>, %k: tensor<8x1x3x3xf32>,
                       %bias: tensor<8xf32>, %img4: tensor<?x4x8x8xf32>,
                       %k2: tensor<6x2x3x3xf32>, %gy: tensor<?x8x28x28xf32>) {
  // K = 784, result ?x512: 2 * 784 * 512 = 802816.
  // expected-remark @+1 {{op class: contraction, FLOPs per sample: 802816}}
  %0 = nn.matmul %x, %w : (tensor<?x784xf32>, tensor<784x512xf32>) -> tensor<?x512xf32>
  // K = 4, result 2x3x5 (30 elements): 2 * 4 * 30 = 240.
  // expected-remark @+1 {{op class: contraction, FLOPs per sample: 240}}
  %1 = nn.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  // K dynamic (counted 1), result 4x5: 2 * 1 * 20 = 40.
  // expected-remark @+1 {{op class: contraction, FLOPs per sample: 40}}
  %2 = nn.matmul %d, %e : (tensor<4x?xf32>, tensor<?x5xf32>) -> tensor<4x5xf32>
  // Weight 8x1x3x3 (C/groups = 1, 3x3), result ?x8x28x28 (6272 elements):
  // 2 * (1 * 3 * 3) * 6272 = 112896.
  // expected-remark @+1 {{op class: contraction, FLOPs per sample: 112896}}
  %3 = nn.conv2d %img, %k, %bias {padding = array<i64: 1, 1>} : (tensor<?x1x28x28xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<?x8x28x28xf32>
  // Two groups: weight 6x2x3x3 (C/groups = 4/2 = 2), result ?x6x6x6 (216
  // elements): 2 * (2 * 3 * 3) * 216 = 7776.
  // expected-remark @+1 {{op class: contraction, FLOPs per sample: 7776}}
  %4 = nn.conv2d %img4, %k2 {groups = 2 : i64} : (tensor<?x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<?x6x6x6xf32>
  // expected-remark @+1 {{op class: contraction, no FLOP count}}
  %5 = nn.conv2d_grad_input %gy, %k, %img {padding = array<i64: 1, 1>} : (tensor<?x8x28x28xf32>, tensor<8x1x3x3xf32>, tensor<?x1x28x28xf32>) -> tensor<?x1x28x28xf32>
  return
}

// Window (pooling and the gradient of upsampling).
func.func @window(%x: tensor<?x8x28x28xf32>, %g: tensor<?x8x14x14xf32>,
                  %gu: tensor<?x2x6x8xf32>) {
  // ?x8x14x14: 8 * 14 * 14 = 1568.
  // expected-remark @+1 {{op class: window, FLOPs per sample: 1568}}
  %0 = nn.max_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x8x28x28xf32>) -> tensor<?x8x14x14xf32>
  // expected-remark @+1 {{op class: window, FLOPs per sample: 1568}}
  %1 = nn.avg_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x8x28x28xf32>) -> tensor<?x8x14x14xf32>
  // expected-remark @+1 {{op class: window, no FLOP count}}
  %2 = nn.max_pool2d_grad %g, %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x8x14x14xf32>, tensor<?x8x28x28xf32>) -> tensor<?x8x28x28xf32>
  // expected-remark @+1 {{op class: window, no FLOP count}}
  %3 = nn.upsample_nearest2d_grad %gu {scale = 2 : i64} : (tensor<?x2x6x8xf32>) -> tensor<?x2x3x4xf32>
  return
}
