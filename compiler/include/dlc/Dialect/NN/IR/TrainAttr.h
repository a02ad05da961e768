//===- TrainAttr.h - The nn.train attribute ---------------------*- C++ -*-===//
//
// The parsed form of the `nn.train` function attribute (documented in
// NNDialect.td): the train recipe, the parameter initialisers and the layer
// table of a model. The dialect verifier and the back end both read the
// attribute through `parseTrainAttr`, so what verifies is what the back end
// can read.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_NN_IR_TRAINATTR_H
#define DLC_DIALECT_NN_IR_TRAINATTR_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>
#include <string>
#include <vector>

namespace dlc::nn {

/// A normalised call of the train block: `kind` and keyword arguments.
struct CallAttr {
  std::string kind;
  mlir::DictionaryAttr args;

  /// The number under `key` (an integer or a float), else `dflt`.
  double number(llvm::StringRef key, double dflt = 0) const;
  /// The integer under `key`, else `dflt`.
  int64_t integer(llvm::StringRef key, int64_t dflt = 0) const;
  /// The string under `key`, else "".
  std::string string(llvm::StringRef key) const;
};

struct TrainRecipe {
  mlir::Location at;
  std::string model;
  CallAttr data, loss, schedule;
  std::optional<CallAttr> earlyStop;
  int64_t epochs = 1, batch = 32, classes = 0;
  uint64_t seed = 0;
  double validation = 0;
  std::vector<std::string> metrics;
  /// The checkpoint keys of the parameters that the train block's `freeze`
  /// keeps fixed (the functions take them as `nn.buffer`).
  std::vector<std::string> frozen;
  /// Input normalisation ("none", "standardize", "minmax") and the
  /// training-batch augmentations (`kind` hflip, random_crop, shift, noise);
  /// both optional in the attribute (none, and no augmentation).
  std::string normalize = "none";
  /// The whitenings' eps (`normalize = {kind = "zca_whiten", eps = ...}`).
  double whitenEps = 0.1;
  std::vector<CallAttr> augment;
  /// Class balancing of the training split ("none", "weighted_sampler",
  /// "oversample", "undersample") and the number of cross-validation folds
  /// (1: none); both optional in the attribute.
  std::string balance = "none";
  /// `target = input_mask(threshold=t)` (the attribute's `target`, a
  /// dictionary of kind "input_mask"): the 0/1 targets are the input's values
  /// above t; nothing for any other target.
  std::optional<double> maskThreshold;
  int64_t folds = 1;
  /// Snapshot ensembles: the number of cosine cycles, each ending in a saved
  /// snapshot (1: none); optional in the attribute.
  int64_t snapshots = 1;
  /// Initialiser per checkpoint key.
  mlir::DictionaryAttr params;
  struct Layer {
    std::string name, op, shape;
    int64_t flops = 0;
  };
  std::vector<Layer> layers;
  /// The updates of an explicit `step`, in order (empty without one): the
  /// model updated, the log name of its loss and its optimiser call.
  struct Update {
    std::string model, loss;
    mlir::DictionaryAttr optimizer;
  };
  std::vector<Update> updates;
  /// `show` of an explicit step (optional): the values drawn, one grid row
  /// each, as images of channels x height x width (the eval step's outputs,
  /// concatenated per sample).
  struct Show {
    std::vector<std::string> names;
    int64_t channels = 0, height = 0, width = 0;
  };
  std::optional<Show> show;

  /// The initialiser of the parameter or buffer `key`, if the recipe has one.
  std::optional<CallAttr> initOf(llvm::StringRef key) const;
  /// Whether the parameter `key` is frozen.
  bool isFrozen(llvm::StringRef key) const;
};

/// Reads an `nn.train` dictionary; reports a missing or ill-typed entry
/// through `emitError`.
mlir::FailureOr<TrainRecipe>
parseTrainAttr(mlir::DictionaryAttr dict,
               llvm::function_ref<mlir::InFlightDiagnostic()> emitError);

} // namespace dlc::nn

#endif // DLC_DIALECT_NN_IR_TRAINATTR_H
