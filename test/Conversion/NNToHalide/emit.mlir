// The emit stages and AOT compilation of nn-to-halide: the Halide-level
// form of the groups (--emit=halide), Halide's lowered statement
// (--emit=stmt), and one object or static library with a C function per
// group and the Halide runtime (--aot).
// RUN: dlc-halide-check %s --emit=halide --groups=op | FileCheck %s --check-prefix=OP
// RUN: dlc-halide-check %s --emit=halide --groups=function | FileCheck %s --check-prefix=FN
// RUN: dlc-halide-check %s --emit=stmt --groups=function | FileCheck %s --check-prefix=STMT
// RUN: dlc-halide-check %s --aot=%t.o --groups=op | FileCheck %s --check-prefix=AOT
// RUN: FileCheck %s --check-prefix=HEADER < %t.h
// RUN: dlc-halide-check %s --aot=%t.a --groups=function | FileCheck %s --check-prefix=LIB
// RUN: not dlc-halide-check %s --aot=%t.bad.o --target=not-a-target 2>&1 | FileCheck %s --check-prefix=TARGET

func.func @linear(%x: tensor<?x6xf32>, %w: tensor<6x5xf32>, %b: tensor<5xf32>) -> tensor<?x5xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x6xf32>, tensor<6x5xf32>) -> tensor<?x5xf32>
  %1 = nn.add %0, %b : (tensor<?x5xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  %2 = nn.relu %1 : tensor<?x5xf32>
  return %2 : tensor<?x5xf32>
}

// OP-LABEL: pipeline linear_g0(arg0: ?x6xfloat32, arg1: 6x5xfloat32) -> (val0: ?x5xfloat32 {?0 = arg0.0}) {
// OP:         matmul_acc_0(i1, i0) = 0.000000f  // matmul, nn.matmul
// OP-NEXT:    matmul_acc_0(i1, i0) = ((float32)matmul_acc_0(i1, i0) + ((float32)arg0_in(rk$x, i0)*(float32)arg1_in(i1, rk$x)))  // over rk$x in [0, 6)
// OP-NEXT:    val0(i1, i0) = (float32)matmul_acc_0(i1, i0)  // readout, nn.matmul
// OP:         return val0
// OP-LABEL: pipeline linear_g1(arg2: 5xfloat32, val0: ?x5xfloat32) -> (val1: ?x5xfloat32 {?0 = val0.0}) {
// OP:         val1(i1, i0) = ((float32)val0_in(i1, i0) + (float32)arg2_in(i1))  // elementwise, nn.add
// OP-LABEL: pipeline linear_g2(val1: ?x5xfloat32) -> (val2: ?x5xfloat32 {?0 = val1.0}) {
// OP:         val2(i1, i0) = max((float32)val1_in(i1, i0), 0.000000f)  // elementwise, nn.relu

// FN-LABEL: pipeline linear_g0(arg0: ?x6xfloat32, arg1: 6x5xfloat32, arg2: 5xfloat32) -> (val2: ?x5xfloat32 {?0 = arg0.0}) {
// FN:         val1(i1, i0) = ((float32)val0(i1, i0) + (float32)arg2_in(i1))  // elementwise, nn.add
// FN:         val2(i1, i0) = max((float32)val1(i1, i0), 0.000000f)  // elementwise, nn.relu
// FN-NOT:     pipeline

// STMT:       // group linear_g0
// STMT:       module name=linear_g0
// STMT:       produce matmul_acc_0 {
// STMT:       ramp(
// STMT:       external_plus_metadata func linear_g0 (arg0, arg1, arg2, val2)
// STMT:       produce val0 {

// AOT:        kernel linear_g0(in arg0, in arg1, out val0)
// AOT-NEXT:   kernel linear_g1(in arg2, in val0, out val1)
// AOT-NEXT:   kernel linear_g2(in val1, out val2)
// HEADER:     int linear_g0(struct halide_buffer_t *_arg0_buffer, struct halide_buffer_t *_arg1_buffer, struct halide_buffer_t *_val0_buffer);
// HEADER:     int linear_g2(struct halide_buffer_t *_val1_buffer, struct halide_buffer_t *_val2_buffer);

// LIB:        kernel linear_g0(in arg0, in arg1, in arg2, out val2)

// TARGET:     invalid Halide target 'not-a-target'
