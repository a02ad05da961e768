//===- Types.h - Shapes, types and compile-time values ----------*- C++ -*-===//
//
// The vocabulary of semantic analysis: a dimension is either a known size or
// a named symbolic size such as the batch `B`; a type is a tensor (element
// type and shape) or a scalar compile-time value (int, float, bool, str); a
// Const is a compile-time value, used for the attributes of ops, the
// non-tensor arguments of layers and the settings of a train block.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_SEMA_TYPES_H
#define DLC_SEMA_TYPES_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dlc::sema {

/// A tensor dimension: a known size, or a symbol (`B`) whose size is only
/// known at run time.
struct Dim {
  int64_t size = -1;
  std::string sym; // set iff the dimension is symbolic

  static Dim known(int64_t n) { return Dim{n, ""}; }
  static Dim symbol(std::string s) { return Dim{-1, std::move(s)}; }
  bool isKnown() const { return sym.empty(); }
  bool operator==(const Dim &o) const { return size == o.size && sym == o.sym; }
  bool operator!=(const Dim &o) const { return !(*this == o); }
  std::string str() const { return isKnown() ? std::to_string(size) : sym; }
};
using Shape = std::vector<Dim>;

enum class DType { F32, F64, I32, I64 };
const char *dtypeName(DType t);
/// Parses an element type name (`f32`, ...); false if unknown.
bool parseDType(const std::string &name, DType &out);
inline bool isFloat(DType t) { return t == DType::F32 || t == DType::F64; }

struct Type {
  enum class Kind {
    Error,
    Tensor,
    Int,
    Float,
    Bool,
    String,
    Dim,
    Symbol,
    List,
    Call,
    Tuple
  };
  Kind kind = Kind::Error;
  DType dtype = DType::F32;
  Shape shape;
  std::vector<Type> elems; // Tuple

  static Type error() { return Type(); }
  static Type tensor(DType dt, Shape s) {
    Type t;
    t.kind = Kind::Tensor;
    t.dtype = dt;
    t.shape = std::move(s);
    return t;
  }
  static Type scalar(Kind k) {
    Type t;
    t.kind = k;
    return t;
  }
  bool isError() const { return kind == Kind::Error; }
  bool isTensor() const { return kind == Kind::Tensor; }
  unsigned rank() const { return shape.size(); }
  bool operator==(const Type &o) const {
    return kind == o.kind && dtype == o.dtype && shape == o.shape &&
           elems == o.elems;
  }
  bool operator!=(const Type &o) const { return !(*this == o); }
  /// `f32[B, 784]`, `int`, ...
  std::string str() const;
};

std::string shapeStr(const Shape &s);

/// A compile-time value.
struct Const {
  enum class Kind { None, Int, Float, Bool, String, Dim, Symbol, List, Call };
  Kind kind = Kind::None;
  int64_t i = 0;
  double f = 0;
  bool b = false;
  std::string s;           // String, Symbol, Call name, Dim symbol
  std::vector<Const> list; // List; Call positional arguments
  std::vector<std::pair<std::string, Const>> kwargs; // Call keyword arguments

  static Const none() { return Const(); }
  static Const ofInt(int64_t v) {
    Const c;
    c.kind = Kind::Int;
    c.i = v;
    return c;
  }
  static Const ofFloat(double v) {
    Const c;
    c.kind = Kind::Float;
    c.f = v;
    return c;
  }
  static Const ofBool(bool v) {
    Const c;
    c.kind = Kind::Bool;
    c.b = v;
    return c;
  }
  static Const ofString(std::string v) {
    Const c;
    c.kind = Kind::String;
    c.s = std::move(v);
    return c;
  }
  static Const ofSymbol(std::string v) {
    Const c;
    c.kind = Kind::Symbol;
    c.s = std::move(v);
    return c;
  }
  static Const ofDim(const Dim &d) {
    return d.isKnown() ? ofInt(d.size) : [&] {
      Const c;
      c.kind = Kind::Dim;
      c.s = d.sym;
      return c;
    }();
  }
  static Const ofList(std::vector<Const> v) {
    Const c;
    c.kind = Kind::List;
    c.list = std::move(v);
    return c;
  }

  bool isNone() const { return kind == Kind::None; }
  bool isNumber() const { return kind == Kind::Int || kind == Kind::Float; }
  double asDouble() const { return kind == Kind::Int ? double(i) : f; }
  /// Keyword argument of a normalised call, or null.
  const Const *get(const std::string &key) const;
  std::string str() const;
};

} // namespace dlc::sema

#endif // DLC_SEMA_TYPES_H
