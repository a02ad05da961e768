//===- TrainStep.h - Train and eval step functions --------------*- C++ -*-===//
//
// The conventions of the step functions that nn-build-train-step adds
// (`@M_train_step`, `@M_eval_step`): the names of their argument and result
// attributes, the `nn.optimizer` attribute that configures the update, and
// its parsed form, shared by the pass, the driver and dlc-stepcheck.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_NN_TRANSFORMS_TRAINSTEP_H
#define DLC_DIALECT_NN_TRANSFORMS_TRAINSTEP_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <string>
#include <vector>

namespace dlc::nn {

/// Function attribute of `@M_loss`: a dictionary with the optimiser `kind`,
/// its hyperparameters and the train settings `grad_clip` and `l1`.
inline constexpr const char kOptimizerAttrName[] = "nn.optimizer";
/// Argument attributes of the steps.
inline constexpr const char kLabelsAttrName[] = "nn.labels";
inline constexpr const char kBufferAttrName[] = "nn.buffer";
inline constexpr const char kSeedAttrName[] = "nn.seed";
inline constexpr const char kOptStateAttrName[] = "nn.opt_state";
inline constexpr const char kLRAttrName[] = "nn.lr";
inline constexpr const char kStepAttrName[] = "nn.step";
/// Argument attribute of `@M_update_step` (`split-update`): the gradient
/// of the named parameter, as the runtime passes it in (for data-parallel
/// training, summed over the ranks: dlrt_step_args::grads).
inline constexpr const char kGradInAttrName[] = "nn.grad_in";
/// Result attributes.
inline constexpr const char kBufferUpdateAttrName[] = "nn.buffer_update";
inline constexpr const char kLossAttrName[] = "nn.loss";
inline constexpr const char kLogitsAttrName[] = "nn.logits";
inline constexpr const char kNewParamAttrName[] = "nn.new_param";
inline constexpr const char kNewBufferAttrName[] = "nn.new_buffer";
inline constexpr const char kNewOptStateAttrName[] = "nn.new_opt_state";
/// Explicit steps (`train T { step ... }`): function attribute of each
/// `@T_u<k>_loss`, a dictionary with the updated `model` and the `loss`'s
/// log name; result attribute (an index) of each update's loss in
/// `@T_train_step` and `@T_eval_step`.
inline constexpr const char kUpdateAttrName[] = "nn.update";
inline constexpr const char kStepLossAttrName[] = "nn.step_loss";
/// Result attribute of `@M_saliency_step`: the gradient of the class scores
/// with respect to the input (dlrt_step_args::input_grad).
inline constexpr const char kInputGradAttrName[] = "nn.input_grad";
/// Function attribute of `@M_train_step` of a model with frozen tensors
/// whose backbone cannot be cached (`./train precompute`): why not.
inline constexpr const char kNoBackboneAttrName[] = "nn.no_backbone";

/// The optimiser of a train step with every hyperparameter resolved
/// (PyTorch's defaults for the keys the attribute leaves out).
struct OptimizerConfig {
  enum class Kind { SGD, Adam, AdamW, RMSprop, Adagrad };
  Kind kind = Kind::SGD;
  double lr = 0.01; ///< informative: the step takes its lr as an argument
  double momentum = 0.0;
  double dampening = 0.0;
  bool nesterov = false;
  double weightDecay = 0.0;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double alpha = 0.99;
  double eps = 1e-8;
  /// Maximum global gradient norm; 0 disables clipping.
  double gradClip = 0.0;
  /// L1 penalty `l1 * sum |p|` over the trainable parameters.
  double l1 = 0.0;

  /// Names of the state slots, in the order of the step's arguments:
  /// sgd: `m` with momentum; adam, adamw: `m`, `v`; rmsprop: `v` and `m`
  /// with momentum; adagrad: `sum`.
  std::vector<std::string> slots() const;
};

/// Parses an `nn.optimizer` dictionary; a null `dict` is plain SGD. Reports
/// unknown kinds and keys, ill-typed values and invalid combinations
/// (Nesterov without momentum or with dampening) through `emitError`.
mlir::FailureOr<OptimizerConfig>
parseOptimizerAttr(mlir::DictionaryAttr dict,
                   llvm::function_ref<mlir::InFlightDiagnostic()> emitError);

/// For a model with `frozen` tensors (checkpoint keys): adds
/// `@M_backbone_step`, `@M_head_train_step` and `@M_head_eval_step` when the
/// frozen layers form a backbone whose activations can be cached per sample,
/// otherwise the reason as `nn.no_backbone` on `@M_train_step`
/// (SplitBackbone.cpp). Needs `@M_train_step` and `@M_eval_step`.
mlir::LogicalResult buildBackboneSteps(mlir::ModuleOp module,
                                       llvm::StringRef model,
                                       llvm::ArrayRef<std::string> frozen);

} // namespace dlc::nn

#endif // DLC_DIALECT_NN_TRANSFORMS_TRAINSTEP_H
