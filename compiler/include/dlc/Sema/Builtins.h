//===- Builtins.h - The built-in ops and their shape rules ------*- C++ -*-===//
//
// Each built-in op is one entry: its signature and its shape rule. Adding an
// op to the language is adding an entry in Builtins.cpp (plus, in the later
// stages, its nn-dialect op). Train-block vocabulary (data sources,
// optimisers, schedules, ...) is described here too, as tables of signatures.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_SEMA_BUILTINS_H
#define DLC_SEMA_BUILTINS_H

#include "dlc/Sema/Signature.h"

#include "llvm/ADT/ArrayRef.h"

#include <climits>

namespace dlc::sema {

/// The arguments of one op call, bound to the op's signature, for its shape
/// rule. `types[i]` is the type of argument i if it is a tensor;
/// `consts[i]` its value otherwise (defaults filled in).
class OpContext {
public:
  OpContext(const FuncSpec &spec, std::vector<Type> types,
            std::vector<Const> consts)
      : spec(spec), types(std::move(types)), consts(std::move(consts)) {}

  const Type &type(unsigned i) const { return types[i]; }
  /// Tensor types of a TensorList argument.
  const std::vector<Type> &listTypes() const { return listTys; }
  void setListTypes(std::vector<Type> t) { listTys = std::move(t); }
  const Const &arg(unsigned i) const { return consts[i]; }
  bool present(unsigned i) const {
    return types[i].isTensor() || !consts[i].isNone();
  }
  int64_t intArg(unsigned i) const { return consts[i].i; }
  double floatArg(unsigned i) const { return consts[i].asDouble(); }

  /// Records a shape error; the shape rule then returns Type::error().
  Type fail(std::string msg) {
    message = std::move(msg);
    return Type::error();
  }
  /// Records an element-type error.
  Type failType(std::string msg) {
    typeError = true;
    return fail(std::move(msg));
  }
  bool isTypeError() const { return typeError; }
  const std::string &getMessage() const { return message; }
  const FuncSpec &getSpec() const { return spec; }

private:
  const FuncSpec &spec;
  std::vector<Type> types;
  std::vector<Const> consts;
  std::vector<Type> listTys;
  std::string message;
  bool typeError = false;
};

/// The largest number of elements of one tensor (Halide indexes with 32 bits).
constexpr int64_t kMaxElements = INT32_MAX;

using ShapeRule = Type (*)(OpContext &);

struct OpInfo {
  FuncSpec spec;
  ShapeRule rule;
};

/// The built-in op called `name`, or null.
const OpInfo *lookupOp(const std::string &name);
/// Every built-in op name (for suggestions and documentation).
std::vector<std::string> allOpNames();

/// Broadcasts two shapes by numpy rules. Returns false if incompatible.
bool broadcastShapes(const Shape &a, const Shape &b, Shape &out);

/// A table of constructors that a train-block key or a `param ... init`
/// accepts: e.g. the optimisers for `optimizer`.
struct ConstructorTable {
  std::string what; ///< "optimizer", "schedule", ... for messages
  std::vector<FuncSpec> entries;
  const FuncSpec *find(const std::string &name) const {
    for (const FuncSpec &f : entries)
      if (f.name == name)
        return &f;
    return nullptr;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> n;
    for (const FuncSpec &f : entries)
      n.push_back(f.name);
    return n;
  }
};

const ConstructorTable &initializers();
const ConstructorTable &dataSources();
const ConstructorTable &optimizers();
const ConstructorTable &schedules();
const ConstructorTable &earlyStopping();
/// Losses usable as `loss = ...`: their configuration arguments only.
const ConstructorTable &lossConfigs();
const std::vector<std::string> &metricNames();
const std::vector<std::string> &monitorNames();
/// The names of the runtime's vocabulary (dlrt/vocabulary.h) that the tables
/// above do not accept, as "schedule 'cosine'"; empty when they agree.
std::vector<std::string> vocabularyMismatches();

/// What a data source yields per sample, when it is fixed by the source.
struct DataSignature {
  bool known = false;
  Type sample; // e.g. f32[1, 28, 28]
  Type label;  // e.g. i64[]
  int64_t classes = 0;
};
DataSignature dataSignature(const Const &source);

} // namespace dlc::sema

#endif // DLC_SEMA_BUILTINS_H
