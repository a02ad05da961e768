//===- ModelDesc.cpp - The runtime's view of a model ----------------------===//
//
// Translates the train function of a model (`@M_loss`, with its `nn.train`
// and `nn.optimizer` attributes) into the static data of the runtime
// descriptor (dlrt_model_desc): the parameter table with initialisers and
// fans, the input shape, the defaults of the train block and the FLOPs per
// sample. It reads only the IR. Settings that the runtime cannot honour yet
// are reported here, at compile time, rather than silently ignored.
//
//===----------------------------------------------------------------------===//
#include "dlc/Target/Driver.h"

#include "dlrt/dlrt.h"
#include "dlrt/vocabulary.h"

#include "dlc/Dialect/NN/IR/NNDialect.h"
#include "dlc/Dialect/NN/Transforms/TrainStep.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace dlc;
using namespace dlc::nn;
using namespace dlc::target;
using namespace dlrt::vocab;

namespace {

/// Fans as PyTorch computes them, for our layouts: linear weights are
/// [in, out]; convolution weights [out, in/groups, kh, kw].
void fans(const std::vector<int64_t> &s, int64_t &in, int64_t &out) {
  if (s.empty()) {
    in = out = 1;
  } else if (s.size() == 1) {
    in = out = s[0];
  } else if (s.size() == 2) {
    in = s[0];
    out = s[1];
  } else {
    int64_t field = 1;
    for (size_t i = 2; i < s.size(); ++i)
      field *= s[i];
    in = s[1] * field;
    out = s[0] * field;
  }
}

/// The initialiser as the runtime's kind and arguments. Named kinds with a
/// non-default gain become plain uniform/normal with computed bounds.
void initOf(const CallAttr &init, ModelDesc::Param &p) {
  const std::string &n = init.kind;
  double fi = double(p.fanIn), fo = double(p.fanOut);
  int32_t plain = valueOf(initKinds, n.c_str());
  switch (plain) {
  case DLRT_INIT_CONSTANT:
    p.initArgs[0] = init.number("value");
    break;
  case DLRT_INIT_NORMAL:
    p.initArgs[0] = init.number("mean");
    p.initArgs[1] = init.number("std", 1);
    break;
  case DLRT_INIT_UNIFORM:
    p.initArgs[0] = init.number("low");
    p.initArgs[1] = init.number("high");
    break;
  case DLRT_INIT_ZEROS:
  case DLRT_INIT_ONES:
    break;
  default:
    plain = -1; // a named scheme: fans and gain below
  }
  if (plain >= 0) {
    p.init = plain;
    return;
  }
  bool glorot = n == "glorot_uniform" || n == "glorot_normal" ||
                n == "xavier_uniform" || n == "xavier_normal";
  bool uniform = llvm::StringRef(n).ends_with("uniform");
  double gain = init.number("gain", 1);
  double defaultGain = glorot ? 1.0 : std::sqrt(2.0);
  if (std::fabs(gain - defaultGain) < 1e-12) {
    p.init = glorot ? (uniform ? DLRT_INIT_GLOROT_UNIFORM
                               : DLRT_INIT_GLOROT_NORMAL)
                    : (uniform ? DLRT_INIT_HE_UNIFORM : DLRT_INIT_HE_NORMAL);
    return;
  }
  double stdDev =
      glorot ? gain * std::sqrt(2.0 / (fi + fo)) : gain / std::sqrt(fi);
  if (uniform) {
    double a = stdDev * std::sqrt(3.0);
    p.init = DLRT_INIT_UNIFORM;
    p.initArgs[0] = -a;
    p.initArgs[1] = a;
  } else {
    p.init = DLRT_INIT_NORMAL;
    p.initArgs[0] = 0;
    p.initArgs[1] = stdDev;
  }
}

} // namespace

/// The part of the descriptor an explicit step decides (`trainStep` is
/// `@M_train_step`): the targets the step reads, its losses, and no outputs.
static bool describeStep(mlir::func::FuncOp trainStep, const TrainRecipe &train,
                         ModelDesc &d) {
  mlir::RankedTensorType labelType;
  for (unsigned i = 0; i < trainStep.getNumArguments(); ++i)
    if (trainStep.getArgAttr(i, kLabelsAttrName))
      labelType = mlir::dyn_cast<mlir::RankedTensorType>(
          trainStep.getArgument(i).getType());
  d.numOutputs = 0;
  if (train.show) {
    d.showRows = int32_t(train.show->names.size());
    d.showChannels = int32_t(train.show->channels);
    d.showHeight = train.show->height;
    d.showWidth = train.show->width;
    for (const std::string &n : train.show->names)
      d.showNames += n + "\n";
    d.numOutputs = d.showRows * d.showChannels * d.showHeight * d.showWidth;
  }
  if (!labelType) {
    d.labelKind = DLRT_LABEL_NONE;
  } else if (labelType.getElementType().isInteger()) {
    d.labelKind = DLRT_LABEL_CLASS;
    d.numClasses = int32_t(train.classes);
    if (d.numClasses <= 0) {
      mlir::emitError(train.at) << "an explicit step that reads class labels "
                                   "needs a data source with a fixed number "
                                   "of classes";
      return false;
    }
  } else {
    d.labelKind = DLRT_LABEL_FLOAT;
    d.targetSize = 1;
    for (int64_t i = 1; i < labelType.getRank(); ++i)
      d.targetSize *= labelType.getShape()[i];
  }
  d.stepSummary.clear();
  for (const TrainRecipe::Update &u : train.updates) {
    d.stepLossNames.push_back(u.loss);
    std::string opt;
    if (u.optimizer) {
      auto kind = u.optimizer.getAs<mlir::StringAttr>("kind");
      opt = kind ? kind.str() : "sgd";
      std::string args;
      for (mlir::NamedAttribute a : u.optimizer) {
        if (a.getName() == "kind")
          continue;
        std::string value;
        llvm::raw_string_ostream os(value);
        if (auto f = mlir::dyn_cast<mlir::FloatAttr>(a.getValue()))
          os << llvm::format("%g", f.getValueAsDouble());
        else if (auto i = mlir::dyn_cast<mlir::IntegerAttr>(a.getValue()))
          os << i.getInt();
        else if (auto b = mlir::dyn_cast<mlir::BoolAttr>(a.getValue()))
          os << (b.getValue() ? "true" : "false");
        else
          continue;
        args += (args.empty() ? "" : ", ") + a.getName().str() + "=" + value;
      }
      opt += "(" + args + ")";
    }
    d.stepSummary += "update " + u.model + " with " + opt + " minimizing " +
                     u.loss + "\n";
  }
  return true;
}

bool target::describeModel(mlir::func::FuncOp lossFunc,
                           const TrainRecipe &train, ModelDesc &d) {
  bool ok = true;
  auto unsupported = [&](const std::string &what) {
    mlir::emitError(train.at)
        << what << " is not supported by the trainer runtime yet";
    ok = false;
  };
  d.name = train.model;
  unsigned numInputs = 0;
  bool labels = false;
  for (unsigned i = 0; i < lossFunc.getNumArguments(); ++i) {
    if (lossFunc.getArgAttr(i, kLabelsAttrName))
      labels = true;
    auto param =
        lossFunc.getArgAttrOfType<mlir::StringAttr>(i, NNDialect::kParamAttrName);
    auto buffer = lossFunc.getArgAttrOfType<mlir::StringAttr>(i, kBufferAttrName);
    if (!param && !buffer) {
      // (An explicit step's train step also takes state, lr and step.)
      numInputs += !labels && !lossFunc.getArgAttr(i, kSeedAttrName) &&
                   !lossFunc.getArgAttr(i, kOptStateAttrName) &&
                   !lossFunc.getArgAttr(i, kLRAttrName) &&
                   !lossFunc.getArgAttr(i, kStepAttrName);
      continue;
    }
    ModelDesc::Param q;
    q.name = (param ? param : buffer).str();
    auto type = mlir::cast<mlir::RankedTensorType>(
        lossFunc.getArgument(i).getType());
    q.shape.assign(type.getShape().begin(), type.getShape().end());
    q.trainable = bool(param);
    // A frozen parameter is a buffer of the functions; a trained one that
    // the recipe says is frozen is a module written inconsistently.
    q.frozen = train.isFrozen(q.name);
    if (q.frozen && q.trainable) {
      mlir::emitError(lossFunc.getLoc())
          << "nn.train freezes '" << q.name << "' but @"
          << lossFunc.getName() << " takes it as nn.param";
      return false;
    }
    fans(q.shape, q.fanIn, q.fanOut);
    std::optional<CallAttr> init = train.initOf(q.name);
    if (!init) {
      mlir::emitError(lossFunc.getLoc())
          << "nn.train has no initialiser for '" << q.name << "'";
      return false;
    }
    initOf(*init, q);
    d.params.push_back(q);
  }
  for (const std::string &key : train.frozen)
    if (llvm::none_of(d.params, [&](const ModelDesc::Param &p) {
          return p.name == key && p.frozen;
        })) {
      mlir::emitError(lossFunc.getLoc())
          << "nn.train freezes '" << key << "', which @" << lossFunc.getName()
          << " does not take as nn.buffer";
      return false;
    }
  if (numInputs != 1) {
    unsupported("a model with " + std::to_string(numInputs) + " inputs");
    return false;
  }
  auto in = mlir::cast<mlir::RankedTensorType>(lossFunc.getArgument(0).getType());
  for (int64_t i = 1; i < in.getRank(); ++i)
    d.inputShape.push_back(in.getShape()[i]);
  if (mlir::isa<mlir::IntegerType>(in.getElementType())) {
    if (in.getElementType().getIntOrFloatBitWidth() != 64) {
      unsupported("an integer input other than i64");
      return false;
    }
    d.inputDtype = DLRT_DTYPE_I64;
  }
  bool explicitStep = !train.updates.empty();
  if (explicitStep && !describeStep(lossFunc, train, d))
    return false;
  auto results = lossFunc.getResultTypes();
  auto out = explicitStep ? mlir::RankedTensorType()
             : results.size() > 1
                 ? mlir::dyn_cast<mlir::RankedTensorType>(results[1])
                 : mlir::RankedTensorType();
  bool staticOut = out && out.getRank() >= 1;
  for (int64_t i = 1; staticOut && i < out.getRank(); ++i)
    staticOut = !out.isDynamicDim(i);
  if (explicitStep) {
    // Described by describeStep.
  } else if (!staticOut) {
    unsupported("a model output other than [B, ...] with static sizes");
    return false;
  }
  if (!explicitStep) {
    d.numOutputs = 1;
    for (int64_t i = 1; i < out.getRank(); ++i)
      d.numOutputs *= out.getShape()[i];
    // The targets: the labels argument's type says which kind; without one
    // the output is compared with the input.
    mlir::RankedTensorType labelType;
    for (unsigned i = 0; i < lossFunc.getNumArguments(); ++i)
      if (lossFunc.getArgAttr(i, kLabelsAttrName))
        labelType = mlir::dyn_cast<mlir::RankedTensorType>(
            lossFunc.getArgument(i).getType());
    if (!labelType) {
      d.labelKind = DLRT_LABEL_INPUT;
      d.targetSize = d.numOutputs;
    } else if (labelType.getElementType().isInteger()) {
      d.labelKind = DLRT_LABEL_CLASS;
      // A label per sample ([B] labels, [B, C] scores) or per position of
      // a sequence ([B, T] labels, [B, T, C] scores).
      bool sequence = labelType.getRank() == 2 && out.getRank() == 3 &&
                      labelType.getShape()[1] == out.getShape()[1];
      if (out.getRank() != 2 && !sequence) {
        unsupported("class labels for a model output other than [B, classes] "
                    "or [B, T, classes] (a label per position)");
        return false;
      }
      d.labelsPerSample = sequence ? out.getShape()[1] : 1;
      d.numClasses =
          train.classes ? train.classes : d.numOutputs / d.labelsPerSample;
    } else {
      d.labelKind = DLRT_LABEL_FLOAT;
      d.targetSize = d.numOutputs;
      if (train.maskThreshold) {
        // Float targets that the trainer computes from the input.
        d.labelKind = DLRT_LABEL_INPUT_MASK;
        d.maskThreshold = static_cast<float>(*train.maskThreshold);
      }
    }
  }

  d.epochs = train.epochs;
  d.batch = train.batch;
  d.seed = train.seed;
  d.validation = train.validation;
  const std::string &source = train.data.kind;
  if (source == "fashion_mnist" || source == "mnist") {
    d.dataKind = DLRT_DATA_IDX_DIR;
    d.dataPath = train.data.string("path");
  } else if (source == "idx" || source == "npy") {
    bool idx = source == "idx";
    d.dataKind = idx ? DLRT_DATA_IDX_FILES : DLRT_DATA_NPY_FILES;
    const char *keys[] = {idx ? "images" : "x", idx ? "labels" : "y",
                          idx ? "test_images" : "test_x",
                          idx ? "test_labels" : "test_y"};
    for (int f = 0; f < DLRT_NUM_DATA_FILES; ++f)
      d.dataFiles[f] = train.data.string(keys[f]);
  } else if (source == "csv") {
    d.dataKind = DLRT_DATA_CSV_FILES;
    d.dataFiles[DLRT_FILE_TRAIN_INPUTS] = train.data.string("path");
    d.dataFiles[DLRT_FILE_TEST_INPUTS] = train.data.string("test");
    if (auto targets =
            mlir::dyn_cast_or_null<mlir::ArrayAttr>(train.data.args.get("target")))
      for (mlir::Attribute a : targets)
        if (auto name = mlir::dyn_cast<mlir::StringAttr>(a))
          d.csvTargets += name.str() + "\n";
    auto header =
        mlir::dyn_cast_or_null<mlir::BoolAttr>(train.data.args.get("header"));
    d.csvHeader = !header || header.getValue() ? DLRT_CSV_HEADER_YES
                                               : DLRT_CSV_HEADER_NO;
  } else if (source == "text") {
    d.dataKind = DLRT_DATA_TEXT_FILES;
    d.dataFiles[DLRT_FILE_TRAIN_INPUTS] = train.data.string("path");
    d.dataFiles[DLRT_FILE_TEST_INPUTS] = train.data.string("test");
    d.textUnit =
        train.data.string("unit") == "word" ? DLRT_TEXT_WORD : DLRT_TEXT_CHAR;
    if (d.inputDtype != DLRT_DTYPE_I64 || d.labelKind != DLRT_LABEL_CLASS ||
        d.labelsPerSample != (d.inputShape.empty() ? 0 : d.inputShape[0])) {
      mlir::emitError(train.at) << "the text data source needs a model from "
                                   "token ids [B, T] to scores [B, T, C] "
                                   "with a class label per token";
      return false;
    }
  } else {
    unsupported("the data source '" + source + "'");
  }
  d.lossName = train.loss.kind;

  auto optDict =
      lossFunc->getAttrOfType<mlir::DictionaryAttr>(kOptimizerAttrName);
  mlir::FailureOr<OptimizerConfig> parsed = parseOptimizerAttr(
      optDict, [&] { return mlir::emitError(lossFunc.getLoc()); });
  if (mlir::failed(parsed))
    return false;
  const OptimizerConfig &opt = *parsed;
  d.lr = opt.lr;
  d.weightDecay = opt.weightDecay;
  switch (opt.kind) {
  case OptimizerConfig::Kind::SGD:
    d.optKind = DLRT_OPT_SGD;
    d.momentum = opt.momentum;
    d.nesterov = opt.nesterov;
    break;
  case OptimizerConfig::Kind::Adam:
  case OptimizerConfig::Kind::AdamW:
    d.optKind = opt.kind == OptimizerConfig::Kind::Adam ? DLRT_OPT_ADAM
                                                         : DLRT_OPT_ADAMW;
    d.beta1 = opt.beta1;
    d.beta2 = opt.beta2;
    d.eps = opt.eps;
    break;
  case OptimizerConfig::Kind::RMSprop:
    d.optKind = DLRT_OPT_RMSPROP;
    d.beta2 = opt.alpha;
    d.eps = opt.eps;
    d.momentum = opt.momentum;
    break;
  case OptimizerConfig::Kind::Adagrad:
    d.optKind = DLRT_OPT_ADAGRAD;
    d.eps = opt.eps;
    break;
  }
  // The state layout is the train step's (nn-build-train-step).
  d.slotNames = opt.slots();
  d.numSlots = d.slotNames.size();
  if (explicitStep) {
    // Each update has its own optimiser, compiled into the step; the
    // runtime's lr is a factor on their lrs, and the state slots are those
    // the step takes, in order of appearance.
    d.optKind = DLRT_OPT_SGD;
    d.lr = 1.0;
    d.momentum = d.weightDecay = 0;
    d.nesterov = 0;
    d.slotNames.clear();
    for (unsigned i = 0; i < lossFunc.getNumArguments(); ++i)
      if (auto state = lossFunc.getArgAttrOfType<mlir::StringAttr>(
              i, kOptStateAttrName)) {
        std::string slot = state.getValue().split('.').first.str();
        if (!llvm::is_contained(d.slotNames, slot))
          d.slotNames.push_back(slot);
      }
    if (d.slotNames.size() > DLRT_MAX_OPT_SLOTS) {
      unsupported("optimisers with more than " +
                  std::to_string(DLRT_MAX_OPT_SLOTS) + " kinds of state");
      return false;
    }
    d.numSlots = d.slotNames.size();
    d.lossName = "step";
  }

  const CallAttr &sched = train.schedule;
  d.schedKind = valueOf(scheduleKinds, sched.kind.c_str());
  switch (d.schedKind) {
  case DLRT_SCHED_STEP:
    d.stepEpochs = sched.integer("step_size");
    d.gamma = sched.number("gamma");
    break;
  case DLRT_SCHED_EXPONENTIAL:
    d.gamma = sched.number("gamma");
    break;
  case DLRT_SCHED_COSINE:
    d.minLr = sched.number("min_lr");
    break;
  case DLRT_SCHED_WARM_RESTARTS:
    d.t0 = sched.integer("t0");
    d.tMult = sched.integer("t_mult");
    d.minLr = sched.number("min_lr");
    break;
  case DLRT_SCHED_ONE_CYCLE:
    d.maxLr = sched.number("max_lr");
    d.pctStart = sched.number("pct_start");
    d.divFactor = sched.number("div_factor");
    d.finalDivFactor = sched.number("final_div_factor");
    break;
  case DLRT_SCHED_CONSTANT:
    break;
  default:
    d.schedKind = 0;
    unsupported("the schedule '" + sched.kind + "'");
  }

  if (train.earlyStop) {
    const CallAttr &es = *train.earlyStop;
    d.patience = es.integer("epochs");
    d.minDelta = es.number("min_delta");
    const std::string onName = es.string("on");
    llvm::StringRef on = onName;
    d.monitorValidation = on.consume_front("val_");
    d.monitor = on == "loss" ? DLRT_WATCH_LOSS
                             : valueOf(metricKinds, on.str().c_str());
    if (d.monitor < 0 && on != "loss") {
      d.monitor = DLRT_WATCH_LOSS;
      unsupported("early stopping on '" + onName + "'");
    }
  }
  for (const std::string &m : train.metrics) {
    int32_t bit = valueOf(metricKinds, m.c_str());
    if (bit >= 0)
      d.metrics |= 1u << bit;
    else
      unsupported("the metric '" + m + "'");
  }
  d.normalize = valueOf(normalizeKinds, train.normalize.c_str());
  if (d.normalize < 0) {
    d.normalize = DLRT_NORMALIZE_NONE;
    unsupported("normalize = " + train.normalize);
  }
  if (d.normalize == DLRT_NORMALIZE_PCA_WHITEN ||
      d.normalize == DLRT_NORMALIZE_ZCA_WHITEN)
    d.whitenEps = train.whitenEps;
  d.balance = valueOf(balanceKinds, train.balance.c_str());
  if (d.balance < 0) {
    d.balance = DLRT_BALANCE_NONE;
    unsupported("balance = " + train.balance);
  }
  // Balancing counts classes (Sema checks this for .dl files).
  if (d.balance != DLRT_BALANCE_NONE && d.labelKind != DLRT_LABEL_CLASS)
    unsupported("balance = " + train.balance + " without class labels");
  if (train.folds < 1 || train.folds > 1000000)
    unsupported("folds = " + std::to_string(train.folds));
  d.folds = int32_t(train.folds);
  if (d.folds > 1 && d.validation > 0)
    unsupported("folds together with a validation fraction");
  // Snapshot ensembles own the schedule (Sema checks these for .dl files).
  if (train.snapshots < 1 || train.snapshots > train.epochs)
    unsupported("snapshots = " + std::to_string(train.snapshots) + " with " +
                std::to_string(train.epochs) + " epochs");
  d.snapshots = int32_t(train.snapshots);
  if (d.snapshots > 1 &&
      (d.folds > 1 || d.schedKind != DLRT_SCHED_CONSTANT || d.patience > 0 ||
       train.epochs % d.snapshots != 0 || !train.updates.empty()))
    unsupported("snapshots together with folds, a schedule, early stopping, "
                "an explicit step or epochs that are not a multiple of "
                "snapshots");
  for (const CallAttr &a : train.augment) {
    int32_t bit = valueOf(augmentKinds, a.kind.c_str());
    if (bit < 0) {
      unsupported("the augmentation '" + a.kind + "'");
      continue;
    }
    d.augment |= 1u << bit;
    if (a.kind == "random_crop")
      d.cropPadding = int32_t(a.integer("padding", 4));
    else if (a.kind == "shift")
      d.shiftPixels = int32_t(a.integer("pixels", 2));
    else if (a.kind == "noise")
      d.noiseStd = a.number("std", 0.1);
  }
  // The geometric augmentations act on the two last axes (Sema checks this
  // for .dl files; an edited .mlir reaches here).
  if ((d.augment & ~uint32_t(DLRT_AUGMENT_NOISE)) && d.inputShape.size() < 2)
    unsupported("a geometric augmentation of samples of rank " +
                std::to_string(d.inputShape.size()));
  if (((d.augment & DLRT_AUGMENT_RANDOM_CROP) && d.cropPadding < 1) ||
      ((d.augment & DLRT_AUGMENT_SHIFT) && d.shiftPixels < 1) ||
      ((d.augment & DLRT_AUGMENT_NOISE) && !(d.noiseStd > 0)))
    unsupported("an augmentation with a padding, shift or std that is not "
                "positive");
  int64_t flops = 0;
  for (const TrainRecipe::Layer &l : train.layers) {
    d.layers.push_back({l.name, l.op, l.shape, l.flops});
    flops += l.flops;
  }
  d.flopsForward = flops;
  d.flopsTrain = 3 * flops;
  return ok;
}
