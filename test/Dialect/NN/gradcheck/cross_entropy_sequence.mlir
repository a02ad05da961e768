// Gradient checks of cross_entropy over sequences: scores [N, T, C] against
// class indices [N, T], the mean over the N * T positions (a language
// model's loss; its value is checked in ../eval/cross_entropy_sequence.mlir),
// plain, with class weights and label smoothing, and after a token
// embedding; and the compiled kernels of the token model against the
// reference evaluator.
// RUN: dlc-gradcheck %s --func=sequence --num-classes=5 --dynamic-size=3 | FileCheck %s
// RUN: dlc-gradcheck %s --func=sequence_weighted --num-classes=5 --positive | FileCheck %s
// RUN: dlc-gradcheck %s --func=sequence_model --num-classes=5 --dynamic-size=2 | FileCheck %s
// RUN: dlc-halide-check %s --func=sequence_model --groups=op --dynamic-size=3 --num-classes=5 --rtol=1e-5 | FileCheck %s --check-prefix=KERNELS
// CHECK: PASS
// KERNELS: nn.cross_entropy
// KERNELS-NOT: FAIL
// KERNELS: PASS: @sequence_model

func.func @sequence(%z: tensor<?x4x5xf32> {nn.param = "z"}, %y: tensor<?x4xi64>) -> tensor<f32> {
  %l = nn.cross_entropy %z, %y : (tensor<?x4x5xf32>, tensor<?x4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @sequence_weighted(%z: tensor<2x3x5xf32> {nn.param = "z"}, %y: tensor<2x3xi64>, %w: tensor<5xf32>) -> tensor<f32> {
  %l = nn.cross_entropy %z, %y, %w {label_smoothing = 0.1 : f64} : (tensor<2x3x5xf32>, tensor<2x3xi64>, tensor<5xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// A token model: embedding (one_hot @ table), a projection, the loss.
func.func @sequence_model(%ids: tensor<?x3xi64>, %y: tensor<?x3xi64>, %e: tensor<5x4xf32> {nn.param = "e"}, %w: tensor<4x5xf32> {nn.param = "w"}) -> tensor<f32> {
  %h = nn.one_hot %ids {classes = 5 : i64} : (tensor<?x3xi64>) -> tensor<?x3x5xf32>
  %x = nn.matmul %h, %e : (tensor<?x3x5xf32>, tensor<5x4xf32>) -> tensor<?x3x4xf32>
  %s = nn.matmul %x, %w : (tensor<?x3x4xf32>, tensor<4x5xf32>) -> tensor<?x3x5xf32>
  %l = nn.cross_entropy %s, %y : (tensor<?x3x5xf32>, tensor<?x3xi64>) -> tensor<f32>
  return %l : tensor<f32>
}
