// Forward semantics of hardswish in the reference evaluator: x * relu6(x + 3)
// / 6, and its gradient helper with PyTorch's convention at the kinks
// (x == -3 and x == 3 take the middle branch (2x + 3) / 6). x * 0 is -0 for
// negative x, as in PyTorch.
// RUN: dlc-eval %s | FileCheck %s

// CHECK-LABEL: @hardswish
// CHECK-NEXT: result 0: 8 [-0, -0, -0.3333333333, 0, 1.125, 3, 4, 2.291666667]
// CHECK-NEXT: result 1: 8 [0, -1, 0.3333333333, 1, 2, 3, 2, 2.666666667]
func.func @hardswish() -> (tensor<8xf32>, tensor<8xf32>) {
  %x = nn.constant dense<[-4.0, -3.0, -1.0, 0.0, 1.5, 3.0, 4.0, 2.5]> : tensor<8xf32>
  %g = nn.constant dense<2.0> : tensor<8xf32>
  %0 = nn.hardswish %x : tensor<8xf32>
  %1 = nn.hardswish_grad %g, %x : tensor<8xf32>
  return %0, %1 : tensor<8xf32>, tensor<8xf32>
}
