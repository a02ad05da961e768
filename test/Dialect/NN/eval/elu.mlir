// Forward semantics of elu in the reference evaluator: x where x > 0,
// alpha * (exp(x) - 1) elsewhere; and its gradient helper (alpha * exp(x)
// for x <= 0, so alpha at x == 0, as PyTorch's elu_backward).
// RUN: dlc-eval %s | FileCheck %s

// CHECK-LABEL: @elu
// CHECK-NEXT: result 0: 6 [-0.8646647168, -0.6321205588, -0.3934693403, 0, 0.5, 2]
// CHECK-NEXT: result 1: 6 [-0.4323323584, -0.3160602794, -0.1967346701, 0, 0.5, 2]
// CHECK-NEXT: result 2: 6 [0.06766764162, 0.1839397206, 0.3032653299, 0.5, 1, 1]
func.func @elu() -> (tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) {
  %x = nn.constant dense<[-2.0, -1.0, -0.5, 0.0, 0.5, 2.0]> : tensor<6xf32>
  %g = nn.constant dense<1.0> : tensor<6xf32>
  %0 = nn.elu %x : tensor<6xf32>
  %1 = nn.elu %x {alpha = 0.5 : f64} : tensor<6xf32>
  %2 = nn.elu_grad %g, %x {alpha = 0.5 : f64} : tensor<6xf32>
  return %0, %1, %2 : tensor<6xf32>, tensor<6xf32>, tensor<6xf32>
}
