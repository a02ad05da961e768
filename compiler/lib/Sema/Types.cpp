//===- Types.cpp - Printing and parsing of types and constants
//-------------===//
//
// String forms of types (`f32[B, 784]`) and compile-time values, used by
// diagnostics and by the AST dump.
//
//===----------------------------------------------------------------------===//
#include "dlc/Sema/Types.h"
#include "dlc/Sema/TypeNames.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace dlc::sema;

const char *dlc::sema::dtypeName(DType t) {
  switch (t) {
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  }
  return "?";
}

namespace {
const DType kDTypes[] = {DType::F32, DType::F64, DType::I32, DType::I64};
} // namespace

const std::vector<std::string> &dlc::sema::elementTypeNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (DType t : kDTypes)
      n.push_back(dtypeName(t));
    return n;
  }();
  return names;
}

bool dlc::sema::parseDType(const std::string &name, DType &out) {
  for (DType t : kDTypes)
    if (name == dtypeName(t)) {
      out = t;
      return true;
    }
  return false;
}

std::string dlc::sema::shapeStr(const Shape &s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i)
    out += (i ? ", " : "") + s[i].str();
  return out + "]";
}

std::string Type::str() const {
  switch (kind) {
  case Kind::Error:
    return "<error>";
  case Kind::Tensor:
    return dtypeName(dtype) + shapeStr(shape);
  case Kind::Int:
    return "int";
  case Kind::Float:
    return "float";
  case Kind::Bool:
    return "bool";
  case Kind::String:
    return "str";
  case Kind::Dim:
    return "dimension";
  case Kind::Symbol:
    return "name";
  case Kind::List:
    return "list";
  case Kind::Call:
    return "call";
  case Kind::Tuple: {
    std::string out = "(";
    for (size_t i = 0; i < elems.size(); ++i)
      out += (i ? ", " : "") + elems[i].str();
    return out + ")";
  }
  }
  return "?";
}

const Const *Const::get(const std::string &key) const {
  for (auto &kv : kwargs)
    if (kv.first == key)
      return &kv.second;
  return nullptr;
}

/// Shortest form that reads back to the same double, for stable dumps.
static std::string formatDouble(double v) {
  for (int prec = 6; prec <= 17; ++prec) {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << llvm::format("%.*g", prec, v);
    os.flush();
    if (std::strtod(s.c_str(), nullptr) == v) {
      if (s.find_first_of(".en") == std::string::npos)
        s += ".0";
      return s;
    }
  }
  return std::to_string(v);
}

std::string Const::str() const {
  switch (kind) {
  case Kind::None:
    return "none";
  case Kind::Int:
    return std::to_string(i);
  case Kind::Float:
    return formatDouble(f);
  case Kind::Bool:
    return b ? "true" : "false";
  case Kind::String: {
    std::string out = "\"";
    for (char c : s)
      out += c == '"'    ? "\\\""
             : c == '\\' ? "\\\\"
             : c == '\n' ? "\\n"
                         : std::string(1, c);
    return out + "\"";
  }
  case Kind::Dim:
  case Kind::Symbol:
    return s;
  case Kind::List: {
    std::string out = "[";
    for (size_t k = 0; k < list.size(); ++k)
      out += (k ? ", " : "") + list[k].str();
    return out + "]";
  }
  case Kind::Call: {
    std::string out = s + "(";
    bool first = true;
    for (const Const &a : list) {
      out += (first ? "" : ", ") + a.str();
      first = false;
    }
    for (auto &kv : kwargs) {
      out += (first ? "" : ", ") + kv.first + "=" + kv.second.str();
      first = false;
    }
    return out + ")";
  }
  }
  return "?";
}
