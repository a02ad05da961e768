// nn-to-halide on conv_transpose2d and its gradients (a conv2d and a
// conv2d_grad_weight), against the reference evaluator: both groupings,
// stride 2 with output padding, groups with dilation, a non-square kernel
// and stride, odd sizes and a dynamic batch.
// RUN: dlc-halide-check %s --groups=op | FileCheck %s
// RUN: dlc-halide-check %s --groups=function | FileCheck %s
// RUN: dlc-halide-check %s --grad --groups=op | FileCheck %s
// RUN: dlc-halide-check %s --grad --groups=function --dynamic-size=5 --seed=7 | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: ALL PASS

func.func @ct_stride(%x: tensor<?x3x5x7xf32>, %w: tensor<3x4x3x3xf32> {nn.param = "w"}, %m: tensor<?x4x10x14xf32>) -> tensor<f32> {
  %y = nn.conv_transpose2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, output_padding = array<i64: 1, 1>} : (tensor<?x3x5x7xf32>, tensor<3x4x3x3xf32>) -> tensor<?x4x10x14xf32>
  %p = nn.mul %y, %m : (tensor<?x4x10x14xf32>, tensor<?x4x10x14xf32>) -> tensor<?x4x10x14xf32>
  %l = nn.sum %p : (tensor<?x4x10x14xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @ct_groups(%x: tensor<2x4x3x3xf32>, %w: tensor<4x3x2x2xf32> {nn.param = "w"}, %m: tensor<2x6x5x5xf32>) -> tensor<f32> {
  %y = nn.conv_transpose2d %x, %w {groups = 2 : i64, dilation = array<i64: 2, 2>} : (tensor<2x4x3x3xf32>, tensor<4x3x2x2xf32>) -> tensor<2x6x5x5xf32>
  %p = nn.mul %y, %m : (tensor<2x6x5x5xf32>, tensor<2x6x5x5xf32>) -> tensor<2x6x5x5xf32>
  %l = nn.sum %p : (tensor<2x6x5x5xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @ct_rect(%x: tensor<?x2x3x4xf32>, %w: tensor<2x3x2x3xf32> {nn.param = "w"}, %m: tensor<?x3x8x8xf32>) -> tensor<f32> {
  %y = nn.conv_transpose2d %x, %w {stride = array<i64: 3, 2>, padding = array<i64: 1, 1>, output_padding = array<i64: 2, 1>} : (tensor<?x2x3x4xf32>, tensor<2x3x2x3xf32>) -> tensor<?x3x8x8xf32>
  %p = nn.mul %y, %m : (tensor<?x3x8x8xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  %l = nn.sum %p : (tensor<?x3x8x8xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
