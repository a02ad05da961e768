//===- ArgSpecs.h - Building argument specs of Sema's tables ----*- C++ -*-===//
//
// Short constructors of ArgSpec shared by the op table (Builtins.cpp) and the
// train vocabulary (TrainVocabulary.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef DLC_LIB_SEMA_ARGSPECS_H
#define DLC_LIB_SEMA_ARGSPECS_H

#include "dlc/Sema/Builtins.h"

#include <functional>
#include <optional>
#include <string>

namespace dlc::sema {

inline ArgSpec tensor(const char *name) {
  return {name, ArgKind::Tensor, std::nullopt};
}
inline ArgSpec optTensor(const char *name) {
  return {name, ArgKind::OptTensor, Const::none()};
}
inline ArgSpec intArg(const char *name, std::optional<int64_t> d = std::nullopt,
               std::function<std::string(const Const &)> check = nullptr) {
  return {name,
          ArgKind::Int,
          d ? std::optional<Const>(Const::ofInt(*d)) : std::nullopt,
          {},
          check};
}
inline ArgSpec floatArg(const char *name, std::optional<double> d = std::nullopt,
                 std::function<std::string(const Const &)> check = nullptr) {
  return {name,
          ArgKind::Float,
          d ? std::optional<Const>(Const::ofFloat(*d)) : std::nullopt,
          {},
          check};
}
inline ArgSpec boolArg(const char *name, bool d) {
  return {name, ArgKind::Bool, Const::ofBool(d)};
}
inline ArgSpec
pairArg(const char *name, std::optional<int64_t> d,
        std::function<std::string(const Const &)> check = checkPositive) {
  return {name,
          ArgKind::IntPair,
          d ? std::optional<Const>(
                  Const::ofList({Const::ofInt(*d), Const::ofInt(*d)}))
            : std::nullopt,
          {},
          check};
}
inline ArgSpec axesArg() { return {"axis", ArgKind::Axes, Const::none()}; }
inline ArgSpec strArg(const char *name, std::optional<std::string> d = std::nullopt) {
  return {name, ArgKind::String,
          d ? std::optional<Const>(Const::ofString(*d)) : std::nullopt};
}

/// A string or a list of strings, by default the one string `d`.
inline ArgSpec strListArg(const char *name, std::string d) {
  return {name, ArgKind::StringList,
          Const::ofList({Const::ofString(std::move(d))})};
}

} // namespace dlc::sema

#endif // DLC_LIB_SEMA_ARGSPECS_H
