// nn-to-halide on upsample_nearest2d and its gradient
// (upsample_nearest2d_grad), against the reference evaluator, with both
// groupings, odd spatial sizes, scales 2 and 3 and a dynamic batch.
// RUN: dlc-halide-check %s --groups=op | FileCheck %s
// RUN: dlc-halide-check %s --groups=function | FileCheck %s
// RUN: dlc-halide-check %s --grad --groups=op | FileCheck %s
// RUN: dlc-halide-check %s --grad --groups=function --dynamic-size=9 --seed=5 | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: ALL PASS

func.func @up2(%x: tensor<?x3x5x7xf32> {nn.param = "x"}, %w: tensor<?x3x10x14xf32>) -> tensor<f32> {
  %y = nn.upsample_nearest2d %x : (tensor<?x3x5x7xf32>) -> tensor<?x3x10x14xf32>
  %p = nn.mul %y, %w : (tensor<?x3x10x14xf32>, tensor<?x3x10x14xf32>) -> tensor<?x3x10x14xf32>
  %l = nn.sum %p : (tensor<?x3x10x14xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @up3(%x: tensor<2x1x3x4xf32> {nn.param = "x"}, %w: tensor<2x1x9x12xf32>) -> tensor<f32> {
  %y = nn.upsample_nearest2d %x {scale = 3 : i64} : (tensor<2x1x3x4xf32>) -> tensor<2x1x9x12xf32>
  %p = nn.mul %y, %w : (tensor<2x1x9x12xf32>, tensor<2x1x9x12xf32>) -> tensor<2x1x9x12xf32>
  %l = nn.sum %p : (tensor<2x1x9x12xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
