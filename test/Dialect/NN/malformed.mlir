// Malformed nn IR gives a diagnostic, never a crash.
// RUN: dlc-opt %s -split-input-file -verify-diagnostics
// RUN: not dlc-opt %S/Inputs/garbage.mlir 2>&1 | FileCheck %s --check-prefix=GARBAGE
// GARBAGE: error: custom op 'garbage' is unknown

func.func @missing_operand(%a: tensor<3xf32>) {
  // expected-error @+1 {{'nn.add' op expected 2 operands, but found 1}}
  %r = "nn.add"(%a) : (tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @bad_pair(%a: tensor<1x1x4x4xf32>) {
  // expected-error @+1 {{'kernel' failed to satisfy constraint: i64 dense array attribute with exactly 2 elements}}
  %r = "nn.max_pool2d"(%a) {kernel = array<i64: 2>, stride = array<i64: 2, 2>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
  return
}

// -----

func.func @unranked(%a: tensor<*xf32>) {
  // expected-error @+1 {{invalid kind of type specified}}
  %r = nn.relu %a : tensor<*xf32>
  return
}

// -----

func.func @vector_constant() {
  // expected-error @+1 {{result #0 must be ranked tensor of floating-point or signless integer values}}
  %r = nn.constant dense<1> : vector<3xi32>
  return
}

// -----

func.func @empty_concat() {
  // expected-error @+1 {{expected 1 or more operands, but found 0}}
  %r = "nn.concat"() {axis = 0 : i64} : () -> tensor<3xf32>
  return
}

// -----

func.func @missing_type(%a: tensor<3xf32>) {
  // expected-error @+1 {{expected ':'}}
  %r = nn.relu %a
  return
}
