//===- Signature.h - Argument lists of built-in functions -------*- C++ -*-===//
//
// One description serves every callable the language has a fixed signature
// for: built-in ops (relu, convolution, ...), initialisers (glorot_uniform),
// and train-block constructors (sgd, one_cycle, fashion_mnist, ...). Binding
// positional and keyword arguments to it, filling defaults and reporting
// arity and keyword mistakes is written once, in Sema.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_SEMA_SIGNATURE_H
#define DLC_SEMA_SIGNATURE_H

#include "dlc/Sema/Types.h"

#include <functional>
#include <optional>

namespace dlc::sema {

enum class ArgKind {
  Tensor,     ///< a tensor (a number is promoted to a 0-d tensor)
  OptTensor,  ///< a tensor, or absent
  TensorList, ///< a list of tensors
  Int,
  Float, ///< an int is accepted
  Bool,
  String,
  IntPair,    ///< `3` or `[3, 3]`; normalised to a list of two ints
  DimList,    ///< a shape: ints, symbolic dims, at most one -1
  Axes,       ///< absent (all axes), an int, or a list of ints
  Symbol,     ///< a bare name from `choices`
  SymbolList, ///< a list of bare names from `choices`
  FloatList,  ///< a list of numbers
  IntList,    ///< a list of integers
  StringList, ///< a string or a list of strings; normalised to a list
  Call,       ///< a constructor call or bare name checked by the caller
};

struct ArgSpec {
  std::string name;
  ArgKind kind;
  std::optional<Const> dflt; ///< none: the argument is required
  std::vector<std::string> choices = {};
  /// Optional range check; returns an error message or "".
  std::function<std::string(const Const &)> check = nullptr;
};

/// Common range checks.
std::string checkPositive(const Const &c);
std::string checkNonNegative(const Const &c);
std::string checkProbability(const Const &c); // 0 <= p < 1
std::string checkUnitOpen(const Const &c);    // 0 < p < 1

struct FuncSpec {
  std::string name;
  std::vector<ArgSpec> args;
  std::string summary;

  const ArgSpec *find(const std::string &arg) const {
    for (const ArgSpec &a : args)
      if (a.name == arg)
        return &a;
    return nullptr;
  }
};

} // namespace dlc::sema

#endif // DLC_SEMA_SIGNATURE_H
