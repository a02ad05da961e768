// nn-to-halide on one_hot (integer indices drawn in [0, classes + 2), so
// out-of-range rows of zeros are compared too) and on upsample_bilinear2d
// and its gradient, against the reference evaluator, with both groupings,
// odd sizes, scales 1 to 3 and a dynamic batch (1 and 7).
// RUN: dlc-halide-check %s --groups=op | FileCheck %s
// RUN: dlc-halide-check %s --groups=function | FileCheck %s
// RUN: dlc-halide-check %s --grad --groups=op | FileCheck %s
// RUN: dlc-halide-check %s --grad --groups=function --dynamic-size=7 --seed=3 | FileCheck %s
// RUN: dlc-halide-check %s --grad --groups=op --dynamic-size=1 --seed=5 | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: ALL PASS

func.func @bilinear2(%x: tensor<?x3x5x7xf32> {nn.param = "x"}, %w: tensor<?x3x10x14xf32>) -> tensor<f32> {
  %y = nn.upsample_bilinear2d %x {scale = 2 : i64} : (tensor<?x3x5x7xf32>) -> tensor<?x3x10x14xf32>
  %p = nn.mul %y, %w : (tensor<?x3x10x14xf32>, tensor<?x3x10x14xf32>) -> tensor<?x3x10x14xf32>
  %l = nn.sum %p : (tensor<?x3x10x14xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @bilinear3(%x: tensor<?x2x1x4xf32> {nn.param = "x"}, %w: tensor<?x2x3x12xf32>) -> tensor<f32> {
  %y = nn.upsample_bilinear2d %x {scale = 3 : i64} : (tensor<?x2x1x4xf32>) -> tensor<?x2x3x12xf32>
  %p = nn.mul %y, %w : (tensor<?x2x3x12xf32>, tensor<?x2x3x12xf32>) -> tensor<?x2x3x12xf32>
  %l = nn.sum %p : (tensor<?x2x3x12xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @bilinear1(%x: tensor<?x1x3x3xf32> {nn.param = "x"}, %w: tensor<?x1x3x3xf32>) -> tensor<f32> {
  %y = nn.upsample_bilinear2d %x {scale = 1 : i64} : (tensor<?x1x3x3xf32>) -> tensor<?x1x3x3xf32>
  %p = nn.mul %y, %w : (tensor<?x1x3x3xf32>, tensor<?x1x3x3xf32>) -> tensor<?x1x3x3xf32>
  %l = nn.sum %p : (tensor<?x1x3x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @embed(%ids: tensor<?x5xi64>, %e: tensor<7x3xf32> {nn.param = "e"}, %c: tensor<?x5x3xf32>) -> tensor<f32> {
  %h = nn.one_hot %ids {classes = 7 : i64} : (tensor<?x5xi64>) -> tensor<?x5x7xf32>
  %v = nn.matmul %h, %e : (tensor<?x5x7xf32>, tensor<7x3xf32>) -> tensor<?x5x3xf32>
  %p = nn.mul %v, %c : (tensor<?x5x3xf32>, tensor<?x5x3xf32>) -> tensor<?x5x3xf32>
  %l = nn.sum %p : (tensor<?x5x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
