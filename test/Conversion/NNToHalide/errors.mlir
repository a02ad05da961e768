// nn-to-halide reports what it cannot lower, naming it, and never crashes.
// RUN: not dlc-halide-check %s --func=call 2>&1 | FileCheck %s --check-prefix=CALL
// RUN: not dlc-halide-check %s --func=f64 2>&1 | FileCheck %s --check-prefix=F64
// RUN: not dlc-halide-check %s --groups=tiles 2>&1 | FileCheck %s --check-prefix=POLICY

func.func @callee(%x: tensor<3xf32>) -> tensor<3xf32> {
  return %x : tensor<3xf32>
}

// CALL: error: nn-to-halide: cannot lower 'func.call' (only nn ops)
func.func @call(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = func.call @callee(%x) : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// F64: error: nn-to-halide: unsupported tensor type 'tensor<3xf64>'
func.func @f64(%x: tensor<3xf64>) -> tensor<3xf64> {
  %0 = nn.relu %x : tensor<3xf64>
  return %0 : tensor<3xf64>
}

// POLICY: --groups must be 'op', 'fused' or 'function'
