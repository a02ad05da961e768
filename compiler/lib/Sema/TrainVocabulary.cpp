//===- TrainVocabulary.cpp - The train block's constructors ---------------===//
//
// The tables of train-block constructors (initialisers, data sources,
// optimisers, schedules, early stopping, losses, metrics) with their
// arguments and defaults, and the check that they accept every name of the
// runtime's vocabulary (dlrt/vocabulary.h, the one list of what the trainer
// runs).
//
//===----------------------------------------------------------------------===//
#include "dlc/Sema/Builtins.h"

#include "ArgSpecs.h"

#include "dlrt/vocabulary.h"

#include <algorithm>
#include <cmath>

using namespace dlc;
using namespace dlc::sema;

const ConstructorTable &sema::initializers() {
  static const ConstructorTable t{
      "initializer",
      {{"zeros", {}, "all zeros"},
       {"ones", {}, "all ones"},
       {"constant", {floatArg("value")}, "every element = value"},
       {"normal",
        {floatArg("mean", 0.0), floatArg("std", 1.0, checkPositive)},
        ""},
       {"uniform", {floatArg("low", -0.05), floatArg("high", 0.05)}, ""},
       {"glorot_uniform",
        {floatArg("gain", 1.0, checkPositive)},
        "Glorot/Xavier"},
       {"glorot_normal",
        {floatArg("gain", 1.0, checkPositive)},
        "Glorot/Xavier"},
       {"xavier_uniform",
        {floatArg("gain", 1.0, checkPositive)},
        "= glorot_uniform"},
       {"xavier_normal",
        {floatArg("gain", 1.0, checkPositive)},
        "= glorot_normal"},
       {"he_uniform",
        {floatArg("gain", 1.4142135623730951, checkPositive)},
        "He/Kaiming"},
       {"he_normal",
        {floatArg("gain", 1.4142135623730951, checkPositive)},
        "He/Kaiming"},
       {"kaiming_uniform",
        {floatArg("gain", 1.4142135623730951, checkPositive)},
        "= he_uniform"},
       {"kaiming_normal",
        {floatArg("gain", 1.4142135623730951, checkPositive)},
        "= he_normal"}}};
  return t;
}

static const char *kFashionDir = "/usr/share/datasets/fashion-mnist";

const ConstructorTable &sema::dataSources() {
  static const ConstructorTable t{
      "data source",
      {{"fashion_mnist",
        {strArg("path", kFashionDir)},
        "Fashion-MNIST idx files (Debian package dataset-fashion-mnist)"},
       {"mnist",
        {strArg("path", "/usr/share/datasets/mnist")},
        "MNIST idx files"},
       {"idx",
        {strArg("images"), strArg("labels", ""), strArg("test_images", ""),
         strArg("test_labels", ""), intArg("classes", 0, checkNonNegative)},
        "idx files (raw or gzip) of samples and their targets"},
       {"csv",
        {strArg("path"),
         strArg("test", ""),
         {"target", ArgKind::StringList, Const::none()},
         boolArg("header", true),
         intArg("classes", 0, checkNonNegative)},
        "a CSV file (raw or gzip), one sample per row; `target` names the "
        "target column(s) (default: the first column)"},
       {"npy",
        {strArg("x"), strArg("y", ""), strArg("test_x", ""),
         strArg("test_y", ""), intArg("classes", 0, checkNonNegative)},
        "NPY arrays (raw or gzip) of samples and their targets"},
       {"text",
        {strArg("path"), strArg("test", ""), strArg("unit", "char"),
         intArg("context", 0, checkNonNegative)},
        "a plain text file (UTF-8) cut into tokens, characters or words "
        "(unit), for a language model: windows of context + 1 tokens, the "
        "model reads the first context and predicts the next token at each "
        "position (context 0: the model's T)"}}};
  return t;
}

const ConstructorTable &sema::optimizers() {
  static const ConstructorTable t{
      "optimizer",
      {{"sgd",
        {floatArg("lr", 0.01, checkPositive),
         floatArg("momentum", 0.0, checkProbability),
         boolArg("nesterov", false),
         floatArg("weight_decay", 0.0, checkNonNegative),
         floatArg("dampening", 0.0, checkProbability)},
        "stochastic gradient descent"},
       {"momentum",
        {floatArg("lr", 0.01, checkPositive),
         floatArg("momentum", 0.9, checkProbability),
         floatArg("weight_decay", 0.0, checkNonNegative)},
        "sgd with heavy-ball momentum"},
       {"nesterov",
        {floatArg("lr", 0.01, checkPositive),
         floatArg("momentum", 0.9, checkProbability),
         floatArg("weight_decay", 0.0, checkNonNegative)},
        "sgd with Nesterov momentum"},
       {"adam",
        {floatArg("lr", 1e-3, checkPositive),
         floatArg("beta1", 0.9, checkProbability),
         floatArg("beta2", 0.999, checkProbability),
         floatArg("eps", 1e-8, checkPositive),
         floatArg("weight_decay", 0.0, checkNonNegative)},
        "Adam"},
       {"adamw",
        {floatArg("lr", 1e-3, checkPositive),
         floatArg("beta1", 0.9, checkProbability),
         floatArg("beta2", 0.999, checkProbability),
         floatArg("eps", 1e-8, checkPositive),
         floatArg("weight_decay", 0.01, checkNonNegative)},
        "Adam with decoupled weight decay"},
       {"rmsprop",
        {floatArg("lr", 0.01, checkPositive),
         floatArg("alpha", 0.99, checkProbability),
         floatArg("eps", 1e-8, checkPositive),
         floatArg("momentum", 0.0, checkProbability),
         floatArg("weight_decay", 0.0, checkNonNegative)},
        "RMSprop"},
       {"adagrad",
        {floatArg("lr", 0.01, checkPositive),
         floatArg("eps", 1e-10, checkPositive),
         floatArg("weight_decay", 0.0, checkNonNegative)},
        "Adagrad"}}};
  return t;
}

const ConstructorTable &sema::schedules() {
  static const ConstructorTable t{
      "schedule",
      {{"constant", {}, "the optimizer's lr throughout"},
       {"step",
        {intArg("step_size", std::nullopt, checkPositive),
         floatArg("gamma", 0.1, checkPositive)},
        "lr * gamma every step_size epochs"},
       {"exponential",
        {floatArg("gamma", std::nullopt, checkPositive)},
        "lr * gamma per epoch"},
       {"cosine",
        {floatArg("min_lr", 0.0, checkNonNegative)},
        "cosine decay to min_lr"},
       {"warm_restarts",
        {intArg("t0", std::nullopt, checkPositive),
         intArg("t_mult", 1, checkPositive),
         floatArg("min_lr", 0.0, checkNonNegative)},
        "SGDR"},
       {"one_cycle",
        {floatArg("max_lr", std::nullopt, checkPositive),
         floatArg("pct_start", 0.3, checkUnitOpen),
         floatArg("div_factor", 25.0, checkPositive),
         floatArg("final_div_factor", 1e4, checkPositive)},
        "1cycle policy"}}};
  return t;
}

const std::vector<std::string> &sema::monitorNames() {
  // The loss and every metric with one value, on the validation split or
  // the training epoch.
  static const std::vector<std::string> n = [] {
    std::vector<std::string> names = {"val_loss", "loss"};
    for (const std::string &m : metricNames())
      if (m != "confusion") {
        names.push_back("val_" + m);
        names.push_back(m);
      }
    return names;
  }();
  return n;
}

const ConstructorTable &sema::earlyStopping() {
  static const ConstructorTable t{
      "early stopping rule",
      {{"patience",
        {intArg("epochs", std::nullopt, checkPositive),
         {"on", ArgKind::Symbol, Const::ofSymbol("val_loss"), monitorNames()},
         floatArg("min_delta", 0.0, checkNonNegative)},
        "stop after `epochs` epochs without improvement of `on`"}}};
  return t;
}

const ConstructorTable &sema::lossConfigs() {
  static const ConstructorTable t{
      "loss",
      {{"cross_entropy",
        {{"weight", ArgKind::FloatList, Const::none()},
         floatArg("label_smoothing", 0.0, checkProbability)},
        ""},
       {"nll", {{"weight", ArgKind::FloatList, Const::none()}}, ""},
       {"mse", {}, ""},
       {"l1", {}, ""},
       {"bce", {}, ""},
       {"bce_with_logits", {}, ""}}};
  return t;
}

const ConstructorTable &sema::targetCalls() {
  static const ConstructorTable t{
      "target",
      {{"input_mask",
        {floatArg("threshold", 0.5,
                  [](const Const &c) {
                    return std::isfinite(c.asDouble())
                               ? std::string()
                               : std::string("must be finite");
                  })},
        "1 where the input is above threshold, else 0"}}};
  return t;
}

const std::vector<std::string> &sema::metricNames() {
  static const std::vector<std::string> n = {
      "accuracy", "precision", "recall", "f1",   "dice",
      "roc_auc",  "log_loss",  "mae",    "rmse", "confusion"};
  return n;
}

const ConstructorTable &sema::normalizationCalls() {
  // eps is added to every eigenvalue of the covariance: 0.1 suits inputs of
  // unit scale (pixels in [0, 1]: components of variance well above 0.1
  // are whitened, the many near-zero ones of images are damped instead of
  // amplified by up to 1 / sqrt(eps)).
  static const ConstructorTable t{
      "normalization",
      {{"none", {}, ""},
       {"standardize", {}, "(x - mean) / std per feature"},
       {"minmax", {}, "(x - min) / (max - min) per feature"},
       {"pca_whiten",
        {floatArg("eps", 0.1, checkPositive)},
        "diag(1 / sqrt(lambda + eps)) U^T (x - mean)"},
       {"zca_whiten",
        {floatArg("eps", 0.1, checkPositive)},
        "U diag(1 / sqrt(lambda + eps)) U^T (x - mean)"}}};
  return t;
}

const std::vector<std::string> &sema::normalizations() {
  static const std::vector<std::string> n = normalizationCalls().names();
  return n;
}

const ConstructorTable &sema::augmentations() {
  static const ConstructorTable t{
      "augmentation",
      {{"hflip", {}, "mirror the last axis with probability 0.5"},
       {"random_crop",
        {intArg("padding", 4, checkPositive)},
        "pad the two last axes with zeros, crop back at a random offset"},
       {"shift",
        {intArg("pixels", 2, checkPositive)},
        "shift the two last axes by up to `pixels`, zero fill"},
       {"noise",
        {floatArg("std", 0.1, checkPositive)},
        "add N(0, std), in normalised units"}}};
  return t;
}

const std::vector<std::string> &sema::balancings() {
  static const std::vector<std::string> n = {"none", "weighted_sampler",
                                             "oversample", "undersample"};
  return n;
}

DataSignature sema::dataSignature(const Const &source) {
  DataSignature sig;
  if (source.s == "fashion_mnist" || source.s == "mnist") {
    sig.known = true;
    sig.sample = Type::tensor(DType::F32,
                              {Dim::known(1), Dim::known(28), Dim::known(28)});
    sig.label = Type::tensor(DType::I64, {});
    sig.classes = 10;
    sig.classesOnly = true;
  } else if (source.s == "text") {
    // Token ids [T] in, the next token at each position [T] out; the
    // vocabulary (and so the classes) is known when the file is read.
    const Const *context = source.get("context");
    int64_t t = context ? context->i : 0;
    sig.known = t > 0;
    sig.sample = Type::tensor(DType::I64, {Dim::known(t)});
    sig.label = Type::tensor(DType::I64, {Dim::known(t)});
    sig.classesOnly = true;
    sig.sequence = true;
  } else {
    // idx, csv, npy: class indices or float targets, as the loss says; the
    // sample shape is only known when the files are read.
    sig.label = Type::tensor(DType::I64, {});
    if (const Const *classes = source.get("classes"))
      sig.classes = classes->i;
  }
  return sig;
}

std::vector<std::string> sema::vocabularyMismatches() {
  std::vector<std::string> missing;
  auto need = [&](const std::vector<std::string> &accepted, const char *what,
                  const char *name) {
    if (std::find(accepted.begin(), accepted.end(), name) == accepted.end())
      missing.push_back(std::string(what) + " '" + name + "'");
  };
  for (const dlrt::vocab::Entry &e : dlrt::vocab::initKinds)
    need(initializers().names(), "initializer", e.name);
  for (const dlrt::vocab::Entry &e : dlrt::vocab::optimizerKinds)
    need(optimizers().names(), "optimizer", e.name);
  for (const dlrt::vocab::Entry &e : dlrt::vocab::scheduleKinds)
    need(schedules().names(), "schedule", e.name);
  for (const dlrt::vocab::Entry &e : dlrt::vocab::metricKinds)
    need(metricNames(), "metric", e.name);
  for (const dlrt::vocab::Entry &e : dlrt::vocab::normalizeKinds)
    need(normalizations(), "normalization", e.name);
  for (const dlrt::vocab::Entry &e : dlrt::vocab::augmentKinds)
    need(augmentations().names(), "augmentation", e.name);
  for (const dlrt::vocab::Entry &e : dlrt::vocab::balanceKinds)
    need(balancings(), "balancing", e.name);
  return missing;
}
