// Forward semantics of softplus in the reference evaluator: log1p(exp(beta *
// x)) / beta, and x itself where beta * x > threshold.
// RUN: dlc-eval %s | FileCheck %s

// CHECK-LABEL: @softplus
// CHECK-NEXT: result 0: 4 [0.3132616875, 0.6931471806, 1.313261688, 30]
// CHECK-NEXT: result 1: 4 [0.06346400552, 0.3465735903, 1, 30]
func.func @softplus() -> (tensor<4xf32>, tensor<4xf32>) {
  %x = nn.constant dense<[-1.0, 0.0, 1.0, 30.0]> : tensor<4xf32>
  %0 = nn.softplus %x : tensor<4xf32>
  %1 = nn.softplus %x {beta = 2.0 : f64, threshold = 1.0 : f64} : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}
