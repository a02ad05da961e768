//===- TypeNames.h - The names of the language's types ----------*- C++ -*-===//
//
// The element types of tensor types (`f32` in `f32[B, 784]`) and the scalar
// types of layer parameters (`int`, ...), as Sema resolves them; the editor
// grammar (`dlc --emit-textmate`) is written from the same lists.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_SEMA_TYPENAMES_H
#define DLC_SEMA_TYPENAMES_H

#include <string>
#include <vector>

namespace dlc::sema {

/// f32, f64, i32, i64.
const std::vector<std::string> &elementTypeNames();
/// int, float, bool, str.
const std::vector<std::string> &scalarTypeNames();

} // namespace dlc::sema

#endif // DLC_SEMA_TYPENAMES_H
