// cross_entropy over a sequence in the reference evaluator: scores
// [N, T, C] = [1, 2, 3] against labels [N, T] = [[2, 0]] is the mean over
// the two positions, the same value as the scores and labels flattened to
// [N * T, C] and [N * T]: (log(1 + e + e^2) - 2 + log(3)) / 2 = 0.75310913;
// its gradient is (softmax - one_hot) / (N * T) at each position.
// RUN: dlc-eval %s | FileCheck %s

// CHECK-LABEL: @sequence
// CHECK-NEXT: result 0: scalar [0.7531091266]
// CHECK-NEXT: result 1: scalar [0.7531091266]
// CHECK-NEXT: result 2: 1x2x3 [0.04501528659, 0.1223642355, -0.1673795221, -0.3333333333, 0.1666666667, 0.1666666667]
func.func @sequence() -> (tensor<f32>, tensor<f32>, tensor<1x2x3xf32>) {
  %z = nn.constant dense<[[[0.0, 1.0, 2.0], [1.0, 1.0, 1.0]]]> : tensor<1x2x3xf32>
  %y = nn.constant dense<[[2, 0]]> : tensor<1x2xi64>
  %zf = nn.constant dense<[[0.0, 1.0, 2.0], [1.0, 1.0, 1.0]]> : tensor<2x3xf32>
  %yf = nn.constant dense<[2, 0]> : tensor<2xi64>
  %g = nn.constant dense<1.0> : tensor<f32>
  %0 = nn.cross_entropy %z, %y : (tensor<1x2x3xf32>, tensor<1x2xi64>) -> tensor<f32>
  %1 = nn.cross_entropy %zf, %yf : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<f32>
  %2 = nn.cross_entropy_grad %g, %z, %y : (tensor<f32>, tensor<1x2x3xf32>, tensor<1x2xi64>) -> tensor<1x2x3xf32>
  return %0, %1, %2 : tensor<f32>, tensor<f32>, tensor<1x2x3xf32>
}
