// nn-fuse: the fusion plan as nn.fusion_group regions, one function per rule
// of Fusion.cpp. Each group holds at most one root (contraction, window,
// reduction or injective op); elementwise and broadcast ops join their
// operands' groups; a root joins root-less operand groups; an op outside a
// group never reads one of its values before the group runs.
// RUN: dlc-opt %s -nn-fuse | FileCheck %s
// The plan is the back end's: the fused kernels match the reference
// evaluator.
// RUN: dlc-halide-check %s --groups=fused --dynamic-size=5 | FileCheck %s --check-prefix=KERNELS
// KERNELS-NOT: FAIL
// KERNELS: ALL PASS

// A linear layer's bias and activation join the matmul: one kernel, whose
// result is the activation (and the pre-activation, read after it).
// CHECK-LABEL: func.func @linear_relu(
// CHECK: %[[G:.*]]:2 = nn.fusion_group -> tensor<?x5xf32>, tensor<?x5xf32> {
// CHECK-NEXT: %[[M:.*]] = nn.matmul %arg0, %arg1
// CHECK-NEXT: %[[A:.*]] = nn.add %[[M]], %arg2
// CHECK-NEXT: %[[R:.*]] = nn.relu %[[A]]
// CHECK-NEXT: nn.yield %[[A]], %[[R]] : tensor<?x5xf32>, tensor<?x5xf32>
// CHECK-NEXT: }
// CHECK-NEXT: %[[S:.*]] = nn.sum %[[G]]#0
// CHECK-NEXT: return %[[G]]#1, %[[S]]
func.func @linear_relu(%x: tensor<?x3xf32>, %w: tensor<3x5xf32>, %b: tensor<5xf32>) -> (tensor<?x5xf32>, tensor<f32>) {
  %m = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x5xf32>) -> tensor<?x5xf32>
  %a = nn.add %m, %b : (tensor<?x5xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  %r = nn.relu %a : tensor<?x5xf32>
  %s = nn.sum %a : (tensor<?x5xf32>) -> tensor<f32>
  return %r, %s : tensor<?x5xf32>, tensor<f32>
}

// Two contractions stay in two kernels: the elementwise producer of the
// second (a root-less group) joins it, the sum of both joins the first,
// whose group now runs last (where its last op is).
// CHECK-LABEL: func.func @two_roots(
// CHECK: %[[B:.*]] = nn.fusion_group -> tensor<?x2xf32> {
// CHECK-NEXT: %[[T:.*]] = nn.tanh %arg0
// CHECK-NEXT: nn.matmul %[[T]], %arg1
// CHECK-NEXT: nn.yield
// CHECK-NEXT: }
// CHECK-NEXT: %[[C:.*]] = nn.fusion_group -> tensor<?x2xf32> {
// CHECK-NEXT: %[[A:.*]] = nn.matmul %arg0, %arg1
// CHECK-NEXT: nn.add %[[A]], %[[B]]
// CHECK-NEXT: nn.yield
// CHECK-NEXT: }
// CHECK-NEXT: return %[[C]]
func.func @two_roots(%x: tensor<?x3xf32>, %w: tensor<3x2xf32>) -> tensor<?x2xf32> {
  %a = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %t = nn.tanh %x : tensor<?x3xf32>
  %b = nn.matmul %t, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %c = nn.add %a, %b : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
  return %c : tensor<?x2xf32>
}

// An elementwise producer joins the reduction it feeds (the product is
// never stored), and so does a consumer of the sum.
// CHECK-LABEL: func.func @producer_into_reduction(
// CHECK: nn.fusion_group -> tensor<f32> {
// CHECK-NEXT: nn.mul %arg0, %arg1
// CHECK-NEXT: nn.sum
// CHECK-NEXT: nn.constant
// CHECK-NEXT: nn.mul
// CHECK-NEXT: nn.yield
func.func @producer_into_reduction(%x: tensor<4x6xf32>, %y: tensor<4x6xf32>) -> tensor<f32> {
  %p = nn.mul %x, %y : (tensor<4x6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  %s = nn.sum %p : (tensor<4x6xf32>) -> tensor<f32>
  %h = nn.constant dense<0.5> : tensor<f32>
  %r = nn.mul %s, %h : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %r : tensor<f32>
}

// The ordering rule: %u reads the matmul's result and sits before %e, so
// %e cannot join the matmul's group (the group would run at %e, after %u
// had read its value). %e starts a group of its own with %u's consumer.
// CHECK-LABEL: func.func @reader_between(
// CHECK: %[[M:.*]] = nn.matmul %arg0, %arg1
// CHECK-NEXT: %[[U:.*]] = nn.sum %[[M]]
// CHECK-NEXT: %[[E:.*]] = nn.exp %[[M]]
// CHECK-NEXT: return %[[U]], %[[E]]
func.func @reader_between(%x: tensor<?x3xf32>, %w: tensor<3x2xf32>) -> (tensor<f32>, tensor<?x2xf32>) {
  %m = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %u = nn.sum %m : (tensor<?x2xf32>) -> tensor<f32>
  %e = nn.exp %m : tensor<?x2xf32>
  return %u, %e : tensor<f32>, tensor<?x2xf32>
}

// An optimiser update after its weight gradient: weight decay, momentum
// and the new weight in the gradient's kernel (SGD with Nesterov momentum,
// as nn-build-train-step writes it). A constant read by several ops is
// copied for each, so that it ties no groups together.
// The transpose is a root of its own (injective).
// CHECK-LABEL: func.func @sgd_update(
// CHECK: %[[T:.*]] = nn.transpose %arg0
// CHECK-NEXT: %[[G:.*]]:2 = nn.fusion_group -> tensor<3x2xf32>, tensor<3x2xf32> {
// CHECK-NEXT: nn.matmul %[[T]], %arg2
// CHECK-NEXT: nn.constant dense<9.99999974E-5>
// CHECK-NEXT: nn.mul %arg1
// CHECK-NEXT: nn.add
// CHECK-NEXT: nn.constant dense<0.899999976>
// CHECK-NEXT: nn.constant dense<0.899999976>
// CHECK-COUNT-4: nn.{{mul|add}}
// CHECK-NEXT: nn.mul %{{.*}}, %arg4
// CHECK-NEXT: nn.sub %arg1
// CHECK-NEXT: nn.yield
// CHECK-NEXT: }
// CHECK-NEXT: return %[[G]]#1, %[[G]]#0
func.func @sgd_update(%x: tensor<?x3xf32>, %w: tensor<3x2xf32>, %g: tensor<?x2xf32>, %m: tensor<3x2xf32>, %lr: tensor<f32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %xt = nn.transpose %x {perm = array<i64: 1, 0>} : (tensor<?x3xf32>) -> tensor<3x?xf32>
  %dw = nn.matmul %xt, %g : (tensor<3x?xf32>, tensor<?x2xf32>) -> tensor<3x2xf32>
  %wd = nn.constant dense<1.0e-4> : tensor<f32>
  %d = nn.mul %w, %wd : (tensor<3x2xf32>, tensor<f32>) -> tensor<3x2xf32>
  %gd = nn.add %dw, %d : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  %mu = nn.constant dense<0.9> : tensor<f32>
  %mm = nn.mul %m, %mu : (tensor<3x2xf32>, tensor<f32>) -> tensor<3x2xf32>
  %m2 = nn.add %mm, %gd : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  %n = nn.mul %m2, %mu : (tensor<3x2xf32>, tensor<f32>) -> tensor<3x2xf32>
  %s = nn.add %gd, %n : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  %st = nn.mul %s, %lr : (tensor<3x2xf32>, tensor<f32>) -> tensor<3x2xf32>
  %w2 = nn.sub %w, %st : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %w2, %m2 : tensor<3x2xf32>, tensor<3x2xf32>
}

// A convolution with its bias and activation, then pooling (a window root:
// its own kernel, with the pooled value's consumer).
// CHECK-LABEL: func.func @conv_relu_pool(
// CHECK: nn.fusion_group -> tensor<?x4x6x6xf32> {
// CHECK-NEXT: nn.conv2d
// CHECK-NEXT: nn.relu
// CHECK-NEXT: nn.yield
// CHECK: nn.fusion_group -> tensor<?x4x3x3xf32> {
// CHECK-NEXT: nn.max_pool2d
// CHECK-NEXT: nn.sigmoid
// CHECK-NEXT: nn.yield
func.func @conv_relu_pool(%x: tensor<?x2x8x8xf32>, %w: tensor<4x2x3x3xf32>, %b: tensor<4xf32>) -> tensor<?x4x3x3xf32> {
  %c = nn.conv2d %x, %w, %b : (tensor<?x2x8x8xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<?x4x6x6xf32>
  %r = nn.relu %c : tensor<?x4x6x6xf32>
  %p = nn.max_pool2d %r {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x4x6x6xf32>) -> tensor<?x4x3x3xf32>
  %s = nn.sigmoid %p : tensor<?x4x3x3xf32>
  return %s : tensor<?x4x3x3xf32>
}
