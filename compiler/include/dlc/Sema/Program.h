//===- Program.h - The typed, elaborated program ----------------*- C++ -*-===//
//
// Sema's output, and the input of MLIR generation. Every layer call is
// instantiated at its call site with concrete shapes (an Instance), so each
// node has one type. Parameters get their stable, qualified names here
// (`fc1.w`, `linear_0.b`, `block_0.conv2d_1.w`). `dlc --emit=ast` prints this
// tree (see ProgramPrinter.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef DLC_SEMA_PROGRAM_H
#define DLC_SEMA_PROGRAM_H

#include "dlc/AST/AST.h"
#include "dlc/Sema/Types.h"

#include <map>
#include <memory>

namespace dlc::sema {

struct Instance;
struct OpInfo;

/// A trainable parameter (`param`) or a non-trained state tensor (`buffer`).
struct ParamInfo {
  std::string name; // qualified: "linear_0.w"
  Loc loc;
  Type type;
  Const init; // normalised initialiser call, e.g. glorot_uniform(gain=1)
  bool trainable = true;
};

/// A typed expression. Tensor-valued everywhere except the attributes.
struct TExpr {
  enum class Kind {
    Input, ///< a tensor argument of the enclosing layer/model (`name`, `index`)
    Param, ///< a parameter or buffer (`param`)
    Local, ///< a name bound by an earlier assignment (`name`, `def`)
    Scalar, ///< a number used as a 0-d tensor (`scalar`)
    Op,     ///< a built-in op (`name`, `operands`, `attrs`)
    Layer,  ///< a layer instantiated here (`instance`, `operands`)
    Model,  ///< a call of a model in a train step (`name`, `operands`)
    /// result `index` of a layer call that returns a tuple (`def`: the Layer
    /// node, the value of a hidden assignment before the use)
    Element,
  };
  Kind kind;
  Loc loc;
  Type type;
  std::string name;
  int index = 0;
  double scalar = 0;
  std::vector<std::unique_ptr<TExpr>> operands;
  std::vector<std::pair<std::string, Const>> attrs;
  const TExpr *def = nullptr;
  const ParamInfo *param = nullptr;
  const OpInfo *op = nullptr; ///< Op: its entry in the built-in op table
  std::unique_ptr<Instance> instance;

  TExpr(Kind kind, Loc loc, Type type)
      : kind(kind), loc(loc), type(std::move(type)) {}
};
using TExprPtr = std::unique_ptr<TExpr>;

/// `names = value` (one name unless the value is a tuple), `return value`, or
/// in a train step `update model with optimizer minimizing value`.
struct TStmt {
  enum class Kind { Assign, Return, Update };
  Kind kind;
  Loc loc;
  std::vector<std::string> names;
  TExprPtr value;
  std::string model; // Update
  Const optimizer;   // Update
};

/// A layer (or model) body instantiated at one set of argument types.
struct Instance {
  std::string layer;  // the layer or model name
  std::string prefix; // qualified call-site name; "" for a model
  Loc loc;            // the call site (the declaration for a model)
  const ast::FuncDecl *decl = nullptr;
  std::vector<std::pair<std::string, Type>> inputs;  // tensor formals, in order
  std::vector<std::pair<std::string, Const>> consts; // other formals, in order
  std::vector<const ParamInfo *> params; // declared directly in this body
  std::vector<TStmt> body; ///< a tuple result: one Return per element
  Type result;             ///< a tensor, or a tuple of tensors (layers)
  /// Whether the instance shares the parameters of an earlier call with the
  /// same prefix (a loop iteration, or `shared=`): its `params` are empty
  /// and its body refers to the first call's.
  bool shared = false;
};

/// A model: its instance and all parameters reachable from it, in the stable
/// order used for function arguments and checkpoints.
struct Model {
  std::string name;
  Instance inst;
  bool hasErrors =
      false; ///< its body had errors (checks against it are skipped)
  std::vector<std::unique_ptr<ParamInfo>> params;
};

/// A train block, checked and normalised: every setting is present (defaults
/// filled in) and every call has all its keyword arguments.
struct TrainConfig {
  Loc loc;
  const Model *model = nullptr;
  std::vector<std::pair<std::string, Const>> settings; // in a fixed key order
  Type sampleType; // one input sample, if the data source fixes it
  /// One sample's target: i64[] class index, or f32 values of the model
  /// output's shape (without the batch); none when the target is the input.
  Type labelType;
  /// `target = input`: the model learns to reproduce its input.
  bool targetIsInput = false;
  /// `target = input_mask(threshold=t)`: the model learns the 0/1 mask of
  /// its input's values above t (segmentation of the foreground); float
  /// targets (labelType) that the trainer computes from each batch.
  std::optional<double> targetMask;
  /// Whether the targets come from the input (no target files).
  bool targetFromInput() const { return targetIsInput || targetMask; }
  std::vector<std::pair<std::string, Loc>> stepVars;
  std::vector<TStmt> step; // empty unless the block has a `step`
  /// `show = [x, fake]`: values of the step drawn as an image grid; each an
  /// input (`ref` Input, `index`) or a variable (`ref` Local, `def`).
  struct Shown {
    std::string name;
    TExpr::Kind ref;
    int index;
    const TExpr *def;
    Type type;
  };
  std::vector<Shown> show;

  const Const *get(const std::string &key) const {
    for (auto &kv : settings)
      if (kv.first == key)
        return &kv.second;
    return nullptr;
  }

  /// Whether `freeze` keeps the parameter `name` fixed: an entry is a
  /// checkpoint key prefix ending at a dot ("block1" freezes
  /// "block1.conv2d_0.w") or a whole key.
  bool freezes(const std::string &name) const {
    if (const Const *freeze = get("freeze"))
      for (const Const &entry : freeze->list)
        if (name == entry.s || name.rfind(entry.s + ".", 0) == 0)
          return true;
    return false;
  }
};

struct Program {
  std::vector<std::unique_ptr<Model>> models;
  std::vector<TrainConfig> trains;
  /// The parsed modules, kept alive because instances point into them.
  std::vector<std::unique_ptr<ast::Module>> modules;

  const Model *findModel(const std::string &name) const {
    for (auto &m : models)
      if (m->name == name)
        return m.get();
    return nullptr;
  }
};

/// Prints the typed program as an indented tree, one node per line with its
/// type and source position (`dlc --emit=ast`).
void printProgram(const Program &prog, const DiagnosticEngine &diags,
                  llvm::raw_ostream &os);

} // namespace dlc::sema

#endif // DLC_SEMA_PROGRAM_H
