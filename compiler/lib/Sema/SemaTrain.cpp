//===- SemaTrain.cpp - Train blocks ---------------------------------------===//
//
// Checks train blocks against the constructor tables of the train
// vocabulary (TrainVocabulary.cpp): keys, data sources, losses against the
// model output, optimisers, schedules, early stopping; and train steps.
//
//===----------------------------------------------------------------------===//
#include "SemaInternal.h"

#include "dlrt/vocabulary.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Process.h"

#include <cmath>
#include <functional>
#include <set>

namespace dlc::sema::detail {

//===----------------------------------------------------------------------===//
// Train blocks
//===----------------------------------------------------------------------===//

/// Evaluates a train-block value: bare names are symbols, calls are kept as
/// calls for normalisation against a constructor table.
EV Sema::evalConfig(const ast::Expr &e) {
  switch (e.getKind()) {
  case ast::Expr::Kind::Name:
    return EV::constant(Const::ofSymbol(cast<ast::NameExpr>(e).name),
                        e.getLoc());
  case ast::Expr::Kind::List: {
    std::vector<Const> items;
    for (const ast::ExprPtr &el : cast<ast::ListExpr>(e).elems) {
      EV v = evalConfig(*el);
      if (v.isError())
        return v;
      items.push_back(v.c);
    }
    return EV::constant(Const::ofList(items), e.getLoc());
  }
  case ast::Expr::Kind::Call: {
    // Nested calls are normalised by the key that reads them.
    Const c;
    c.kind = Const::Kind::Call;
    c.s = cast<ast::CallExpr>(e).callee;
    return EV::constant(c, e.getLoc());
  }
  default: {
    Scope empty;
    EV v = eval(e, empty);
    if (!v.isError() && !v.isConst()) {
      diags.error(e.getLoc(), "expected a constant here");
      return EV::error(e.getLoc());
    }
    return v;
  }
  }
}

std::optional<Const>
Sema::normalizeCall(const ast::Expr &e, const ConstructorTable &table,
                    const std::function<EV(const ast::Expr &)> &evalArg) {
  std::string name;
  const std::vector<ast::Arg> *args = nullptr;
  if (auto *n = dyn_cast<ast::NameExpr>(&e)) {
    name = n->name;
  } else if (auto *c = dyn_cast<ast::CallExpr>(&e)) {
    name = c->callee;
    args = &c->args;
  } else {
    diags.error(e.getLoc(), "expected " + table.what + " such as " +
                                table.entries.front().name + "(...)");
    return std::nullopt;
  }
  const FuncSpec *spec = table.find(name);
  if (!spec) {
    std::string s = closestName(name, table.names());
    diags.error(e.getLoc(), "unknown " + table.what + " '" + name + "'" +
                                (s.empty() ? "; expected one of: " +
                                                 llvm::join(table.names(), ", ")
                                           : "; did you mean '" + s + "'?"));
    return std::nullopt;
  }
  std::vector<ActualArg> actuals;
  if (args)
    for (const ast::Arg &a : *args)
      actuals.push_back({a.keyword, a.loc, evalArg(*a.value)});
  std::vector<BoundArg> bound;
  if (!bindArgs(*spec, actuals, e.getLoc(), table.what + " '" + name + "'",
                bound))
    return std::nullopt;
  Const c;
  c.kind = Const::Kind::Call;
  c.s = name;
  for (size_t i = 0; i < bound.size(); ++i)
    c.kwargs.emplace_back(spec->args[i].name, bound[i].c);
  return c;
}

/// The keys of a train block, in the order they are printed.
struct TrainKey {
  const char *name;
  const char *doc;
};
const TrainKey kTrainKeys[] = {
    {"data", "data source, e.g. fashion_mnist()"},
    {"target", "what the model learns to output: labels (the data's "
               "targets) or input (itself, for autoencoders)"},
    {"validation", "fraction of the training set held out, in [0, 1)"},
    {"loss", "loss function, e.g. cross_entropy"},
    {"optimizer", "optimizer, e.g. sgd(lr=0.1, momentum=0.9)"},
    {"schedule", "learning-rate schedule, e.g. one_cycle(max_lr=0.1)"},
    {"batch", "batch size"},
    {"epochs", "number of epochs"},
    {"seed", "random seed"},
    {"metrics", "list of metrics, e.g. [accuracy, f1]"},
    {"early_stop", "early stopping, e.g. patience(3, on=val_loss)"},
    {"grad_clip", "clip the global gradient norm to this value (0: off)"},
    {"l1", "L1 penalty on the trainable weights"},
    {"freeze", "layer calls whose parameters stay fixed, e.g. [fc1, block1]"},
    {"normalize", "input normalisation with statistics of the training "
                  "split: standardize, minmax, pca_whiten(eps=0.1), "
                  "zca_whiten(eps=0.1) or none"},
    {"augment", "training-batch augmentations, e.g. [hflip, "
                "random_crop(padding=4), shift(pixels=2), noise(std=0.1)]"},
    {"balance", "class balancing of the training split: weighted_sampler, "
                "oversample, undersample or none"},
    {"folds", "k-fold cross-validation with k >= 2 folds (1: off)"},
    {"snapshots", "snapshot ensemble of n >= 2 cosine cycles, each ending "
                  "in a saved snapshot (1: off)"},
    {"show", "values of the step drawn as an image grid by `./train "
             "--show FILE.png`, e.g. [x, fake] (images [B, H, W] or "
             "[B, C, H, W] with C = 1 or 3)"},
};

void Sema::elaborateTrain(const ast::TrainDecl &decl) {
  TrainConfig cfg;
  cfg.loc = decl.loc;
  auto f = funcs.find(decl.model);
  if (f == funcs.end() && rejectedNames.count(decl.model)) {
    // Already reported where it was declared.
  } else if (f == funcs.end()) {
    std::vector<std::string> names;
    for (auto &kv : funcs)
      if (kv.second->isModel)
        names.push_back(kv.first);
    std::string s = closestName(decl.model, names);
    diags.error(decl.modelLoc,
                "unknown model '" + decl.model + "'" +
                    (s.empty() ? "" : "; did you mean '" + s + "'?"));
  } else if (!f->second->isModel) {
    diags.error(decl.modelLoc,
                "'" + decl.model + "' is a layer; a train block needs a model");
    diags.note(f->second->nameLoc, "defined here");
  } else {
    cfg.model = prog->findModel(decl.model);
    for (const TrainConfig &other : prog->trains)
      if (cfg.model && other.model == cfg.model) {
        diags.error(decl.modelLoc,
                    "model '" + decl.model + "' already has a train block");
        diags.note(other.loc, "the first one is here");
        break;
      }
  }

  std::map<std::string, const ast::TrainSetting *> given;
  std::vector<std::string> keyNames;
  for (const TrainKey &k : kTrainKeys)
    keyNames.push_back(k.name);
  // Known keys first (silently); their problems are reported in source order
  // together with the values' below.
  for (const ast::TrainSetting &s : decl.settings)
    if (std::find(keyNames.begin(), keyNames.end(), s.key) != keyNames.end())
      given.emplace(s.key, &s);
  auto cfgEval = [&](const ast::Expr &e) { return evalConfig(e); };
  auto number = [&](const char *key, bool integer, Const dflt,
                    std::function<std::string(const Const &)> check) -> Const {
    auto it = given.find(key);
    if (it == given.end())
      return dflt;
    EV v = evalConfig(*it->second->value);
    if (v.isError())
      return dflt;
    if (integer ? v.c.kind != Const::Kind::Int : !v.c.isNumber()) {
      diags.error(it->second->value->getLoc(),
                  std::string("'") + key + "' must be " +
                      (integer ? "an integer" : "a number") + ", got " +
                      v.type.str());
      return dflt;
    }
    Const c = integer ? v.c : Const::ofFloat(v.c.asDouble());
    if (check && !check(c).empty())
      diags.error(it->second->value->getLoc(), std::string("'") + key + "' " +
                                                   check(c) + ", got " +
                                                   c.str());
    return c;
  };
  auto table = [&](const char *key, const ConstructorTable &t,
                   const char *dflt) -> std::optional<Const> {
    auto it = given.find(key);
    if (it == given.end()) {
      if (!dflt)
        return std::nullopt;
      ast::NameExpr def(decl.loc, dflt);
      return normalizeCall(def, t, cfgEval);
    }
    return normalizeCall(*it->second->value, t, cfgEval);
  };

  // A key whose value is a name (or a list of names) from `spec`'s choices;
  // `dflt` when absent or wrong (the error is reported).
  auto nameSetting = [&](const ArgSpec &spec, Const dflt) -> Const {
    auto it = given.find(spec.name);
    if (it == given.end())
      return dflt;
    EV v = evalConfig(*it->second->value);
    BoundArg b;
    b.loc = it->second->value->getLoc();
    if (v.isError() || !convertArg(spec, std::move(v), "the train block", b))
      return dflt;
    return b.c;
  };

  // One validator per key. They run in source order, so that errors come
  // out in the order of the file; absent keys then get their defaults.
  std::map<std::string, std::function<std::optional<Const>()>> validators = {
      {"data",
       [&]() -> std::optional<Const> {
         if (!given.count("data")) {
           diags.error(decl.loc,
                       "train block for '" + decl.model +
                           "' needs 'data', e.g. data = fashion_mnist()");
           return std::nullopt;
         }
         return table("data", dataSources(), nullptr);
       }},
      {"target",
       [&]() -> std::optional<Const> {
         // A name, or the call input_mask(threshold=0.5).
         auto it = given.find("target");
         if (it != given.end())
           if (auto *call =
                   llvm::dyn_cast<ast::CallExpr>(it->second->value.get());
               call && call->callee == "input_mask") {
             return table("target", targetCalls(), nullptr);
           }
         return nameSetting({"target",
                             ArgKind::Symbol,
                             std::nullopt,
                             {"labels", "input", "input_mask"}},
                            Const::ofSymbol("labels"));
       }},
      {"validation",
       [&]() -> std::optional<Const> {
         return number("validation", false, Const::ofFloat(0.0),
                       checkProbability);
       }},
      {"loss", [&] { return table("loss", lossConfigs(), "cross_entropy"); }},
      {"optimizer",
       [&]() -> std::optional<Const> {
         std::optional<Const> c = table("optimizer", optimizers(), "sgd");
         // PyTorch's rule: Nesterov momentum needs a momentum and no
         // dampening.
         const Const *nesterov = c ? c->get("nesterov") : nullptr;
         if (nesterov && nesterov->b) {
           double momentum = c->get("momentum")->f;
           double dampening = c->get("dampening")->f;
           if (momentum <= 0 || dampening != 0)
             diags.error(given.count("optimizer")
                             ? given["optimizer"]->value->getLoc()
                             : decl.loc,
                         "sgd with nesterov=true needs momentum > 0 and "
                         "dampening = 0, got momentum=" +
                             Const::ofFloat(momentum).str() +
                             ", dampening=" + Const::ofFloat(dampening).str());
         }
         return c;
       }},
      {"schedule", [&] { return table("schedule", schedules(), "constant"); }},
      {"batch",
       [&]() -> std::optional<Const> {
         return number("batch", true, Const::ofInt(32), checkPositive);
       }},
      {"epochs",
       [&]() -> std::optional<Const> {
         return number("epochs", true, Const::ofInt(1), checkPositive);
       }},
      {"show",
       [&]() -> std::optional<Const> {
         // Names of the step's values, resolved by elaborateStep.
         auto it = given.find("show");
         if (it == given.end())
           return std::nullopt;
         const ast::Expr &value = *it->second->value;
         std::vector<Const> names;
         auto add = [&](const ast::Expr &e) {
           if (auto *n = dyn_cast<ast::NameExpr>(&e)) {
             names.push_back(Const::ofSymbol(n->name));
             return true;
           }
           diags.error(e.getLoc(), "show = [...] lists names of the step's "
                                   "values, e.g. show = [x, fake]");
           return false;
         };
         if (auto *list = dyn_cast<ast::ListExpr>(&value)) {
           for (auto &e : list->elems)
             if (!add(*e))
               return std::nullopt;
         } else if (!add(value)) {
           return std::nullopt;
         }
         if (decl.steps.empty()) {
           diags.error(value.getLoc(),
                       "'show' draws values of a train step, but this train "
                       "block has no step");
           return std::nullopt;
         }
         return Const::ofList(names);
       }},
      {"seed",
       [&]() -> std::optional<Const> {
         return number("seed", true, Const::ofInt(0), checkNonNegative);
       }},
      {"metrics",
       [&]() -> std::optional<Const> {
         Const metrics =
             nameSetting({"metrics", ArgKind::SymbolList, std::nullopt,
                          metricNames()},
                         Const::ofList({Const::ofSymbol("accuracy")}));
         return metrics.kind == Const::Kind::List ? metrics
                                                  : Const::ofList({metrics});
       }},
      {"early_stop",
       [&]() -> std::optional<Const> {
         if (!given.count("early_stop"))
           return Const::none();
         return table("early_stop", earlyStopping(), nullptr);
       }},
      {"grad_clip",
       [&]() -> std::optional<Const> {
         return number("grad_clip", false, Const::ofFloat(0.0),
                       checkNonNegative);
       }},
      {"l1",
       [&]() -> std::optional<Const> {
         return number("l1", false, Const::ofFloat(0.0), checkNonNegative);
       }},
      {"freeze",
       [&]() -> std::optional<Const> {
         return checkFreeze(given, cfg, decl);
       }},
      {"normalize",
       [&]() -> std::optional<Const> {
         // A name (standardize), or a call with arguments
         // (zca_whiten(eps=0.01)); the whitenings are calls with their
         // eps, the others names.
         auto it = given.find("normalize");
         const ast::Expr *value =
             it == given.end() ? nullptr : it->second->value.get();
         Const norm = Const::ofSymbol("none");
         if (value && isa<ast::CallExpr>(value)) {
           std::optional<Const> c =
               normalizeCall(*value, normalizationCalls(), cfgEval);
           if (!c)
             return Const::ofSymbol("none");
           norm = *c;
         } else {
           norm = nameSetting(
               {"normalize", ArgKind::Symbol, std::nullopt, normalizations()},
               Const::ofSymbol("none"));
         }
         if (norm.s == "pca_whiten" || norm.s == "zca_whiten") {
           if (norm.kind != Const::Kind::Call)
             norm = *normalizeCall(*value, normalizationCalls(), cfgEval);
           return norm;
         }
         return Const::ofSymbol(norm.s);
       }},
      {"augment",
       [&]() -> std::optional<Const> {
         auto it = given.find("augment");
         if (it == given.end())
           return Const::ofList({});
         // A list of constructor calls (or one), each normalised against
         // the augmentation table; each kind at most once.
         const ast::Expr &value = *it->second->value;
         std::vector<const ast::Expr *> items;
         if (auto *list = dyn_cast<ast::ListExpr>(&value))
           for (const ast::ExprPtr &el : list->elems)
             items.push_back(el.get());
         else
           items.push_back(&value);
         std::vector<Const> out;
         for (const ast::Expr *item : items) {
           std::optional<Const> c =
               normalizeCall(*item, augmentations(), cfgEval);
           if (!c)
             continue;
           bool twice = false;
           for (const Const &o : out)
             twice |= o.s == c->s;
           if (twice) {
             diags.error(item->getLoc(), "augmentation '" + c->s +
                                             "' is listed twice");
             continue;
           }
           out.push_back(*c);
         }
         return Const::ofList(out);
       }},
      {"balance",
       [&]() -> std::optional<Const> {
         return nameSetting(
             {"balance", ArgKind::Symbol, std::nullopt, balancings()},
             Const::ofSymbol("none"));
       }},
      {"folds",
       [&]() -> std::optional<Const> {
         return number("folds", true, Const::ofInt(1),
                       [](const Const &c) -> std::string {
                         return c.i >= 2 ? "" : "must be at least 2 (leave it "
                                                "out for no cross-validation)";
                       });
       }},
      {"snapshots",
       [&]() -> std::optional<Const> {
         return number("snapshots", true, Const::ofInt(1),
                       [](const Const &c) -> std::string {
                         return c.i >= 2 ? ""
                                         : "must be at least 2 (leave it "
                                           "out for no snapshot "
                                           "ensemble)";
                       });
       }},
  };
  std::map<std::string, std::optional<Const>> results;
  for (const ast::TrainSetting &st : decl.settings) {
    if (!validators.count(st.key)) {
      std::string sugg = closestName(st.key, keyNames);
      diags.error(st.loc,
                  "unknown train setting '" + st.key + "'" +
                      (sugg.empty()
                           ? "; known settings: " + llvm::join(keyNames, ", ")
                           : "; did you mean '" + sugg + "'?"));
    } else if (given[st.key] != &st) {
      diags.error(st.loc, "train setting '" + st.key + "' is given twice");
      diags.note(given[st.key]->loc, "first given here");
    } else {
      results[st.key] = validators[st.key]();
    }
  }
  for (const TrainKey &k : kTrainKeys) {
    if (!results.count(k.name))
      results[k.name] = validators[k.name]();
    if (results[k.name])
      cfg.settings.emplace_back(k.name, *results[k.name]);
  }
  cfg.targetIsInput = results["target"] && results["target"]->s == "input";
  if (results["target"] && results["target"]->s == "input_mask") {
    const Const *t = results["target"]->get("threshold");
    cfg.targetMask = t ? t->asDouble() : 0.5;
  }
  auto locOf = [&](const char *key) {
    return given.count(key) ? given[key]->value->getLoc() : decl.loc;
  };
  if (results["data"] && results["data"]->s == "text" && decl.steps.empty()) {
    // A source that does not fit is reported once: the checks of the data
    // against the model and the loss below would repeat it.
    if (!checkTextSource(cfg, *results["data"], locOf("data")))
      results["data"].reset();
    for (auto &kv : cfg.settings)
      if (kv.first == "data" && results["data"])
        kv.second = *results["data"];
  }
  std::optional<Const> data = results["data"], loss = results["loss"];

  // The data must fit the model, and the loss the model's output.
  if (data) {
    DataSignature sig = dataSignature(*data);
    cfg.labelType = sig.label;
    if (sig.known && cfg.model && !cfg.model->hasErrors && decl.steps.empty()) {
      cfg.sampleType = sig.sample;
      Shape batched = {Dim::symbol("B")};
      batched.insert(batched.end(), sig.sample.shape.begin(),
                     sig.sample.shape.end());
      const auto &inputs = cfg.model->inst.inputs;
      bool fits = inputs.size() == 1 &&
                  inputs[0].second.dtype == sig.sample.dtype &&
                  inputs[0].second.rank() == batched.size() &&
                  std::equal(batched.begin() + 1, batched.end(),
                             inputs[0].second.shape.begin() + 1) &&
                  !inputs[0].second.shape[0].isKnown();
      if (!fits) {
        std::string in = inputs.size() == 1
                             ? "'" + inputs[0].second.str() + "'"
                             : std::to_string(inputs.size()) + " inputs";
        diags.error(given["data"]->value->getLoc(),
                    "model '" + cfg.model->name + "' takes " + in + " but " +
                        data->s + "() yields batches of '" +
                        Type::tensor(sig.sample.dtype, batched).str() + "'");
      }
    }
    // A file source names its targets unless the target is the input.
    const char *targetFile = data->s == "idx"   ? "labels"
                             : data->s == "npy" ? "y"
                                                : nullptr;
    if (targetFile) {
      const Const *train = data->get(targetFile);
      const Const *testInputs =
          data->get(data->s == "idx" ? "test_images" : "test_x");
      const Const *testTargets =
          data->get(data->s == "idx" ? "test_labels" : "test_y");
      std::string testName = data->s == "idx" ? "test_labels" : "test_y";
      if (!cfg.targetFromInput() && train && train->s.empty())
        diags.error(locOf("data"), data->s + "() needs '" + targetFile +
                                       "', the file of the targets (or "
                                       "target = input, for an autoencoder)");
      else if (!cfg.targetFromInput() && testInputs && !testInputs->s.empty() &&
               testTargets && testTargets->s.empty())
        diags.error(locOf("data"), data->s + "() has a test set but no '" +
                                       testName + "' for its targets");
    }
  }
  // (A wrong `target` was reported: the loss is not checked against a
  // default in its place.)
  if (data && loss && cfg.model && !cfg.model->hasErrors &&
      decl.steps.empty() && !cfg.model->inst.result.isError() &&
      (results["target"] || !given.count("target"))) {
    unsigned before = diags.getNumErrors();
    checkLoss(cfg, *data, *loss, locOf("loss"), locOf("target"));
    if (diags.getNumErrors() == before) {
      // Float targets are measured by their mean absolute error by default.
      bool classes = loss->s == "cross_entropy" || loss->s == "nll";
      bool binary = loss->s == "bce" || loss->s == "bce_with_logits";
      if (!given.count("metrics") && !classes && !binary)
        for (auto &kv : cfg.settings)
          if (kv.first == "metrics")
            kv.second = Const::ofList({Const::ofSymbol("mae")});
      checkMetrics(cfg, *loss, locOf("metrics"), locOf("early_stop"));
    }
  }
  if (!decl.steps.empty())
    checkStepSettings(cfg, given, decl);
  checkAugment(cfg, locOf("augment"));
  // Token ids are not values to scale, shift or reproduce.
  if (cfg.model && !cfg.model->hasErrors &&
      cfg.model->inst.inputs.size() == 1 &&
      !isFloat(cfg.model->inst.inputs[0].second.dtype)) {
    const std::string in = cfg.model->inst.inputs[0].second.str();
    const Const *norm = cfg.get("normalize");
    const Const *augment = cfg.get("augment");
    if (given.count("normalize") && norm && norm->s != "none")
      diags.error(locOf("normalize"), "normalize = " + norm->s +
                                          " needs float inputs, but model '" +
                                          cfg.model->name +
                                          "' takes integer ids '" + in + "'");
    if (given.count("augment") && augment && !augment->list.empty())
      diags.error(locOf("augment"), "augment needs float inputs, but model '" +
                                        cfg.model->name +
                                        "' takes integer ids '" + in + "'");
    if (cfg.targetFromInput())
      diags.error(locOf("target"),
                  std::string(cfg.targetIsInput
                                  ? "target = input needs float inputs to "
                                    "reproduce"
                                  : "target = input_mask(...) needs float "
                                    "inputs to threshold") +
                      ", but model '" + cfg.model->name +
                      "' takes integer ids '" + in + "'");
  }
  // Balancing counts classes; cross-validation replaces the hold-out.
  if (given.count("balance") && results["balance"] &&
      results["balance"]->s != "none" && data && data->s == "text")
    diags.error(locOf("balance"),
                "balance = " + results["balance"]->s +
                    " draws samples by their class, but text() gives a "
                    "class label per token, not per sample");
  else if (given.count("balance") && results["balance"] &&
           results["balance"]->s != "none" && loss &&
           ((loss->s != "cross_entropy" && loss->s != "nll") ||
            cfg.targetFromInput()))
    diags.error(locOf("balance"),
                "balance = " + results["balance"]->s +
                    " needs class labels (loss cross_entropy or nll with "
                    "target = labels), but the loss is " +
                    loss->s +
                    (cfg.targetIsInput ? " with target = input"
                     : cfg.targetMask  ? " with target = input_mask(...)"
                                       : ""));
  // A snapshot ensemble owns the schedule: n cosine cycles of epochs / n
  // epochs, the weights saved at the end of each.
  if (given.count("snapshots") && results["snapshots"] &&
      results["snapshots"]->i >= 2) {
    int64_t n = results["snapshots"]->i;
    int64_t epochs = results["epochs"] ? results["epochs"]->i : 1;
    const char *other = given.count("folds")        ? "folds"
                        : given.count("schedule")   ? "schedule"
                        : given.count("early_stop") ? "early_stop"
                                                    : nullptr;
    if (other) {
      diags.error(locOf("snapshots"),
                  std::string("'snapshots' and '") + other +
                      "' exclude each other: snapshots = n trains n cosine "
                      "cycles of epochs / n epochs each (warm restarts, the "
                      "optimizer's lr down to 0) and saves the weights at "
                      "the end of every cycle");
      diags.note(locOf(other), std::string(other) + " given here");
    } else if (!decl.steps.empty()) {
      diags.error(locOf("snapshots"),
                  "'snapshots' with an explicit 'step' is not supported: "
                  "the ensemble averages one model's outputs");
    } else if (epochs % n != 0) {
      diags.error(locOf("snapshots"),
                  "snapshots = " + std::to_string(n) +
                      " needs a number of "
                      "epochs that is a multiple of it (one cycle of epochs "
                      "/ n epochs per snapshot), but epochs = " +
                      std::to_string(epochs));
    }
  }
  if (given.count("folds") && given.count("validation")) {
    diags.error(locOf("validation"),
                "'validation' and 'folds' exclude each other: with folds = k "
                "every fold is the validation split once");
    diags.note(locOf("folds"), "folds given here");
  }
  for (const ast::TrainStep &step : decl.steps) {
    if (&step != &decl.steps.front()) {
      diags.error(step.loc, "a train block has at most one step");
      break;
    }
    auto show = given.find("show");
    elaborateStep(step, cfg, show == given.end() ? nullptr : show->second);
  }
  prog->trains.push_back(std::move(cfg));
}

/// `freeze = [fc1, block1]`: layer calls (checkpoint key prefixes, or whole
/// keys, as names or strings: "block1.conv2d_0") whose parameters the train
/// step keeps fixed. Each entry must name at least one trainable parameter
/// of the model, and at least one must stay trainable. With an explicit
/// step an entry names a model that the step updates and its layer call,
/// as a string: "G.fc1" (the checkpoint key prefix of a step trainer), and
/// every updated model keeps a trainable parameter. Normalised to a list of
/// names; absent (nothing frozen) when not given.
std::optional<Const>
Sema::checkFreeze(const std::map<std::string, const ast::TrainSetting *> &given,
                  const TrainConfig &cfg, const ast::TrainDecl &decl) {
  auto it = given.find("freeze");
  if (it == given.end())
    return std::nullopt;
  const ast::Expr &value = *it->second->value;
  // The models whose parameters an entry may name, each with its prefix in
  // the trainer's keys ("" for the model of a block without a step).
  std::vector<std::pair<const Model *, std::string>> scopes;
  if (decl.steps.empty()) {
    if (!cfg.model || cfg.model->hasErrors)
      return std::nullopt;
    scopes.push_back({cfg.model, ""});
  } else {
    std::function<void(const std::vector<ast::StmtPtr> &)> walk =
        [&](const std::vector<ast::StmtPtr> &body) {
          for (const ast::StmtPtr &st : body) {
            if (auto *u = dyn_cast<ast::UpdateStmt>(st.get())) {
              const Model *m = prog->findModel(u->model);
              if (m && !m->hasErrors &&
                  std::none_of(scopes.begin(), scopes.end(),
                               [&](auto &s) { return s.first == m; }))
                scopes.push_back({m, m->name + "."});
            } else {
              for (const auto *nested : ast::nestedBodies(*st))
                walk(*nested);
            }
          }
        };
    for (const ast::TrainStep &step : decl.steps)
      walk(step.body);
    if (scopes.empty())
      return std::nullopt; // the step's own errors say why
  }
  // The names an entry may use: every key and every prefix of one that ends
  // before a dot (the layer calls, nested ones included).
  std::vector<std::string> candidates;
  for (auto &[model, prefix] : scopes)
    for (const auto &p : model->params) {
      std::string key = prefix + p->name;
      for (size_t dot = key.find('.', prefix.size());;
           dot = key.find('.', dot + 1)) {
        std::string name = key.substr(0, dot);
        if (std::find(candidates.begin(), candidates.end(), name) ==
            candidates.end())
          candidates.push_back(name);
        if (dot == std::string::npos)
          break;
      }
    }
  std::vector<Const> names;
  TrainConfig probe;
  bool ok = true;
  // Entries of a list, or a single name, checked in source order.
  std::vector<const ast::Expr *> entries = {&value};
  if (auto *list = dyn_cast<ast::ListExpr>(&value)) {
    entries.clear();
    for (const ast::ExprPtr &el : list->elems)
      entries.push_back(el.get());
  }
  const std::string example =
      decl.steps.empty() ? "fc1 or \"block1.conv2d_0\""
                         : "\"" + scopes.front().first->name +
                               ".fc1\" (a model the step updates, then its "
                               "layer call)";
  for (const ast::Expr *e : entries) {
    EV v = evalConfig(*e);
    if (v.isError()) {
      ok = false;
      continue;
    }
    if (v.c.kind != Const::Kind::Symbol && v.c.kind != Const::Kind::String) {
      diags.error(e->getLoc(), "'freeze' entries are layer calls such as " +
                                   example + ", got " + v.c.str());
      ok = false;
      continue;
    }
    const std::string &name = v.c.s;
    Loc loc = e->getLoc();
    probe.settings = {{"freeze", Const::ofList({Const::ofSymbol(name)})}};
    bool any = false, anyTrainable = false;
    for (auto &[model, prefix] : scopes)
      for (const auto &p : model->params)
        if (probe.freezes(prefix + p->name)) {
          any = true;
          anyTrainable |= p->trainable;
        }
    if (!any) {
      // In a step, the layer call of an updated model without its prefix.
      std::string s;
      for (auto &[model, prefix] : scopes)
        if (s.empty() && !prefix.empty())
          for (const auto &p : model->params)
            if (probe.freezes(p->name)) {
              s = prefix + name;
              break;
            }
      if (s.empty())
        s = closestName(name, candidates);
      std::string owner = decl.steps.empty()
                              ? "'" + cfg.model->name + "'"
                              : "a model that the step updates";
      diags.error(loc, "'freeze': '" + name + "' matches no parameter of " +
                           owner +
                           (s.empty() ? "" : "; did you mean '" + s + "'?"));
      ok = false;
    } else if (!anyTrainable) {
      std::string owner = cfg.model ? cfg.model->name : "";
      for (auto &[model, prefix] : scopes)
        if (!prefix.empty() && name.rfind(prefix, 0) == 0)
          owner = model->name;
      diags.error(loc, "'freeze': '" + name + "' names only buffers of '" +
                           owner + "', which are not trained anyway");
      ok = false;
    }
    names.push_back(Const::ofSymbol(name));
  }
  if (!ok)
    return std::nullopt;
  probe.settings = {{"freeze", Const::ofList(names)}};
  for (auto &[model, prefix] : scopes) {
    bool trainableLeft = false;
    for (const auto &p : model->params)
      trainableLeft |= p->trainable && !probe.freezes(prefix + p->name);
    if (!names.empty() && !trainableLeft) {
      diags.error(value.getLoc(),
                  "'freeze' leaves no trainable parameter of '" + model->name +
                      "'" +
                      (decl.steps.empty()
                           ? ""
                           : "; remove its 'update' instead (a model without "
                             "one keeps its parameters)"));
      return std::nullopt;
    }
  }
  return Const::ofList(names);
}

/// The loss of a train block against the model's output and what the data
/// source yields: the loss's own shape rule, class counts, class weights.
/// Sets the type of one sample's target.
void Sema::checkLoss(TrainConfig &cfg, const Const &data, const Const &loss,
                     Loc at, Loc targetAt) {
  DataSignature sig = dataSignature(data);
  Type out = cfg.model->inst.result;
  bool classLoss = loss.s == "cross_entropy" || loss.s == "nll";
  if (!classLoss) {
    // Float targets of the output's shape: the data's, or the input.
    Shape perSample(out.shape.begin() + (out.rank() ? 1 : 0), out.shape.end());
    bool known = out.rank() >= 1 && !out.shape[0].isKnown();
    for (const Dim &d : perSample)
      known &= d.isKnown();
    if (!known) {
      diags.error(at, "loss '" + loss.s + "' needs a model output of shape "
                      "[B, ...] with known sizes after the batch, but '" +
                          cfg.model->name + "' produces '" + out.str() + "'");
      return;
    }
    int64_t outElems = 1;
    for (const Dim &d : perSample)
      outElems *= d.size;
    if (cfg.targetFromInput()) {
      std::string what = cfg.targetIsInput ? "target = input compares the "
                                             "output with the input"
                                           : "target = input_mask(...) "
                                             "compares the output with a mask "
                                             "of the input";
      const auto &inputs = cfg.model->inst.inputs;
      int64_t inElems = 1;
      bool inKnown = inputs.size() == 1;
      if (inKnown)
        for (size_t i = 1; i < inputs[0].second.shape.size(); ++i) {
          inKnown &= inputs[0].second.shape[i].isKnown();
          if (inKnown)
            inElems *= inputs[0].second.shape[i].size;
        }
      if (!inKnown || inElems != outElems) {
        diags.error(targetAt,
                    what + ", but model '" +
                        cfg.model->name + "' maps '" +
                        (inputs.size() == 1 ? inputs[0].second.str()
                                            : std::string("several inputs")) +
                        "' to '" + out.str() + "' (" +
                        (inKnown ? std::to_string(inElems) : std::string("?")) +
                        " values per sample in, " + std::to_string(outElems) +
                        " out)");
        return;
      }
      // The mask is a float target of the output's shape, computed by the
      // trainer from each batch; the input itself is no label argument.
      cfg.labelType =
          cfg.targetMask ? Type::tensor(DType::F32, perSample) : Type();
      return;
    }
    if (sig.classesOnly) {
      diags.error(at, "loss '" + loss.s + "' compares '" + out.str() +
                          "' with float targets of the same shape, but " +
                          data.s +
                          "() yields class labels: use cross_entropy or nll, "
                          "target = input for an autoencoder, or a csv, npy "
                          "or idx source with float targets");
      return;
    }
    cfg.labelType = Type::tensor(DType::F32, perSample);
    return;
  }
  if (cfg.targetFromInput()) {
    diags.error(targetAt,
                std::string(cfg.targetIsInput ? "target = input"
                                              : "target = input_mask(...)") +
                    " needs a loss that compares values "
                    "(mse, l1, bce, bce_with_logits), but the loss "
                    "is '" +
                    loss.s + "', which takes class labels");
    return;
  }
  // One class label per sample, or one per token of a sequence (text).
  cfg.labelType =
      Type::tensor(DType::I64, sig.sequence ? sig.label.shape : Shape());
  const OpInfo *op = lookupOp(loss.s);
  Shape batchedLabels = {out.rank() ? out.shape[0] : Dim::symbol("B")};
  if (sig.sequence)
    batchedLabels.insert(batchedLabels.end(), sig.label.shape.begin(),
                         sig.label.shape.end());
  Type labels = Type::tensor(sig.label.dtype, batchedLabels);
  std::vector<Type> types(op->spec.args.size());
  std::vector<Const> consts(op->spec.args.size());
  types[0] = out;
  types[1] = labels;
  for (size_t i = 2; i < op->spec.args.size(); ++i)
    if (op->spec.args[i].dflt)
      consts[i] = *op->spec.args[i].dflt;
  OpContext ctx(op->spec, types, consts);
  if (op->rule(ctx).isError()) {
    diags.error(at, "loss '" + loss.s + "' does not fit model '" +
                        cfg.model->name + "' with " +
                        (sig.classes ? std::to_string(sig.classes) + "-class "
                                     : std::string("class ")) +
                        "labels: " + ctx.getMessage());
    return;
  }
  if (out.rank() != 2)
    return;
  if (sig.classes && out.shape[1] != Dim::known(sig.classes)) {
    diags.error(at, "model '" + cfg.model->name + "' produces '" + out.str() +
                        "' but " + data.s + "() has " +
                        std::to_string(sig.classes) + " classes");
    return;
  }
  const Const *weight = loss.get("weight");
  if (weight && !weight->isNone() && out.shape[1].isKnown()) {
    int64_t classes = out.shape[1].size;
    if (static_cast<int64_t>(weight->list.size()) != classes) {
      diags.error(at, "loss '" + loss.s + "' has " +
                          std::to_string(weight->list.size()) +
                          " class weights, but model '" + cfg.model->name +
                          "' produces " + std::to_string(classes) +
                          " classes ('" + out.str() + "')");
      return;
    }
    for (const Const &w : weight->list) {
      double v = w.kind == Const::Kind::Int ? static_cast<double>(w.i) : w.f;
      if (!(v >= 0) || !std::isfinite(v)) {
        diags.error(at, "class weights of loss '" + loss.s +
                            "' must be finite and non-negative, got " +
                            w.str());
        return;
      }
    }
  }
}

/// Each metric, and the early-stopping monitor, must apply to the targets
/// the loss trains (see the metric list of dlrt/vocabulary.h).
void Sema::checkMetrics(const TrainConfig &cfg, const Const &loss, Loc at,
                        Loc earlyStopAt) {
  bool classes = loss.s == "cross_entropy" || loss.s == "nll";
  bool binary = loss.s == "bce" || loss.s == "bce_with_logits";
  std::string kind = classes  ? "class labels"
                     : binary ? "0/1 targets"
                              : "float targets";
  // The runtime's table says which targets each metric applies to.
  uint32_t mine = classes  ? dlrt::vocab::kForClasses
                  : binary ? dlrt::vocab::kForBinary
                           : dlrt::vocab::kForFloat;
  auto applies = [&](const std::string &m) {
    int32_t v = dlrt::vocab::valueOf(dlrt::vocab::metricKinds, m.c_str());
    return v >= 0 && (dlrt::vocab::traitsOf(v).targets & mine) != 0;
  };
  auto suggestion = [&] {
    std::vector<std::string> names;
    for (const dlrt::vocab::Entry &e : dlrt::vocab::metricKinds)
      if (dlrt::vocab::traitsOf(e.value).targets & mine)
        names.push_back(e.name);
    return llvm::join(names, ", ");
  };
  if (const Const *metrics = cfg.get("metrics"))
    for (const Const &m : metrics->list)
      if (!applies(m.s)) {
        diags.error(at, "metric '" + m.s + "' does not apply to the " + kind +
                            " that loss '" + loss.s +
                            "' trains; these do: " + suggestion());
        return;
      }
  const Const *es = cfg.get("early_stop");
  if (es && es->kind == Const::Kind::Call)
    if (const Const *on = es->get("on")) {
      llvm::StringRef name(on->s);
      name.consume_front("val_");
      if (name != "loss" && !applies(name.str()))
        diags.error(earlyStopAt, "early stopping on '" + on->s +
                            "' does not apply to the " + kind +
                            " that loss '" + loss.s + "' trains");
    }
}

/// A train block with an explicit step: the settings that the step's
/// updates replace, or that need a model output, are errors; it logs its
/// losses and no metrics.
void Sema::checkStepSettings(
    TrainConfig &cfg,
    const std::map<std::string, const ast::TrainSetting *> &given,
    const ast::TrainDecl &decl) {
  static const std::pair<const char *, const char *> replaced[] = {
      {"loss", "each 'update M with OPT minimizing LOSS' names its loss"},
      {"optimizer", "each 'update M with OPT minimizing LOSS' names its "
                    "optimizer"},
      {"target", "the step computes its losses from (inputs, labels) itself"},
      {"metrics", "the step has no model output to measure; its losses are "
                  "logged"},
  };
  for (auto [key, why] : replaced)
    if (auto it = given.find(key); it != given.end())
      diags.error(it->second->value->getLoc(),
                  std::string("'") + key +
                      "' has no effect in a train block with a step: " + why);
  for (auto &kv : cfg.settings)
    if (kv.first == "metrics")
      kv.second = Const::ofList({});
  if (const Const *es = cfg.get("early_stop");
      es && es->kind == Const::Kind::Call)
    if (const Const *on = es->get("on"))
      if (on->s != "loss" && on->s != "val_loss")
        diags.error(given.count("early_stop")
                        ? given.at("early_stop")->value->getLoc()
                        : cfg.loc,
                    "early stopping on '" + on->s +
                        "': a train block with a step logs no metrics; "
                        "watch loss or val_loss (the first update's loss)");
  // Balancing samples by class, so the step reads the class labels.
  if (const Const *balance = cfg.get("balance");
      balance && balance->s != "none" && given.count("balance") &&
      !decl.steps.empty()) {
    const ast::TrainStep &step = decl.steps.front();
    const Const *data = cfg.get("data");
    DataSignature sig = data ? dataSignature(*data) : DataSignature();
    Loc at = given.at("balance")->value->getLoc();
    if (step.vars.size() < 2 || step.vars[1].first == "_")
      diags.error(at, "balance = " + balance->s +
                          " samples by class label, but the step does not "
                          "read the labels: write step (x, y)");
    else if (sig.known && isFloat(sig.label.dtype))
      diags.error(at, "balance = " + balance->s +
                          " needs class labels, but the data source's "
                          "targets are '" + sig.label.str() + "'");
  }
}

/// Whether `path` names a regular file that this process can open for
/// reading; otherwise why not.
static std::optional<std::string> unreadableFile(const std::string &path) {
  if (path.empty())
    return std::string("no file named");
  llvm::sys::fs::file_status st;
  if (std::error_code ec = llvm::sys::fs::status(path, st))
    return ec.message();
  if (st.type() == llvm::sys::fs::file_type::directory_file)
    return std::string("it is a directory");
  if (st.type() != llvm::sys::fs::file_type::regular_file)
    return std::string("it is not a regular file");
  int fd = -1;
  if (std::error_code ec = llvm::sys::fs::openFileForRead(path, fd))
    return ec.message();
  llvm::sys::Process::SafelyCloseFileDescriptor(fd);
  return std::nullopt;
}

/// text(path, test, unit, context): the files exist and are readable (the
/// trainer reads them again when it runs, from its working directory), the
/// unit is char or word, and the model takes token ids i64[B, T] with T =
/// context (context 0 is set to the model's T).
bool Sema::checkTextSource(const TrainConfig &cfg, Const &data, Loc at) {
  unsigned before = diags.getNumErrors();
  for (const char *key : {"path", "test"}) {
    const Const *file = data.get(key);
    if (!file || (file->s.empty() && std::string(key) == "test"))
      continue;
    if (std::optional<std::string> why = unreadableFile(file->s))
      diags.error(at, std::string("text(): cannot read the ") +
                          (std::string(key) == "path" ? "training" : "test") +
                          " file '" + file->s + "': " + *why);
  }
  const Const *unit = data.get("unit");
  if (unit && unit->s != "char" && unit->s != "word")
    diags.error(at, "text(): unit must be \"char\" (one token per "
                    "character) or \"word\" (words, each run of spaces, "
                    "and each newline a token), not \"" +
                        unit->s + "\"");
  if (!cfg.model || cfg.model->hasErrors)
    return diags.getNumErrors() == before;
  const Const *context = data.get("context");
  int64_t t = context ? context->i : 0;
  const auto &inputs = cfg.model->inst.inputs;
  const Type *in = inputs.size() == 1 ? &inputs[0].second : nullptr;
  bool tokens = in && in->rank() == 2 && !isFloat(in->dtype) &&
                !in->shape[0].isKnown() && in->shape[1].isKnown();
  std::string window = t > 0 ? std::to_string(t) : std::string("T");
  if (!tokens) {
    diags.error(at, "text() yields batches of token ids 'i64[B, " + window +
                        "]', but model '" + cfg.model->name + "' takes " +
                        (in ? "'" + in->str() + "'"
                            : std::to_string(inputs.size()) + " inputs"));
    return false;
  }
  if (t > 0 && in->shape[1].size != t) {
    diags.error(at, "text(context=" + std::to_string(t) +
                        ") yields windows of " + std::to_string(t) +
                        " tokens, but model '" + cfg.model->name + "' takes '" +
                        in->str() + "'");
    return false;
  }
  for (auto &kv : data.kwargs)
    if (kv.first == "context")
      kv.second = Const::ofInt(in->shape[1].size);
  return diags.getNumErrors() == before;
}

/// The geometric augmentations act on the two last axes of a sample, so
/// they need a sample of rank >= 2 ([C, H, W] or [H, W]); noise fits any.
void Sema::checkAugment(const TrainConfig &cfg, Loc at) {
  const Const *augment = cfg.get("augment");
  if (!augment || augment->list.empty() || !cfg.model || cfg.model->hasErrors)
    return;
  const auto &inputs = cfg.model->inst.inputs;
  if (inputs.size() != 1)
    return; // reported with the data source
  const Type &in = inputs[0].second;
  for (const Const &a : augment->list)
    if (a.s != "noise" && in.rank() < 3) {
      diags.error(at, "augmentation '" + a.s +
                          "' acts on the two last axes of a sample (an "
                          "image [C, H, W] or [H, W]), but model '" +
                          cfg.model->name + "' takes '" + in.str() +
                          "', samples of rank " +
                          std::to_string(in.rank() ? in.rank() - 1 : 0));
      return;
    }
  // PCA components have no positions to flip, crop or shift.
  const Const *norm = cfg.get("normalize");
  if (norm && norm->s == "pca_whiten")
    for (const Const &a : augment->list)
      if (a.s != "noise") {
        diags.error(at, "augmentation '" + a.s +
                            "' moves values between positions, but with "
                            "normalize = pca_whiten a sample's elements are "
                            "its principal components, not pixels (use "
                            "zca_whiten, which stays in the pixels' space)");
        return;
      }
}

void Sema::elaborateStep(const ast::TrainStep &step, TrainConfig &cfg,
                         const ast::TrainSetting *show) {
  Scope scope;
  scope.inStep = true;
  scope.stmts = &cfg.step;
  cfg.stepVars = step.vars;
  const Const *data = cfg.get("data");
  DataSignature sig = data ? dataSignature(*data) : DataSignature();
  scope.dims["B"] = Dim::symbol("B");
  if (data && !sig.known) {
    diags.error(step.loc,
                "a train step needs a data source whose samples have a "
                "known shape, such as fashion_mnist(); " +
                    data->s + "() has none");
    return;
  }
  if (step.vars.size() > 2)
    diags.error(step.vars[2].second,
                "a step takes (inputs) or (inputs, labels)");
  for (size_t i = 0; i < step.vars.size() && i < 2; ++i) {
    Binding b;
    b.loc = step.vars[i].second;
    if (sig.known) {
      const Type &t = i == 0 ? sig.sample : sig.label;
      Shape s = {Dim::symbol("B")};
      s.insert(s.end(), t.shape.begin(), t.shape.end());
      b.kind = Binding::Kind::Tensor;
      b.ref = TExpr::Kind::Input;
      b.type = Type::tensor(t.dtype, s);
      b.index = i;
    }
    if (step.vars[i].first != "_")
      scope.vars[step.vars[i].first] = b;
  }
  unsigned before = diags.getNumErrors();
  elaborateBody(step.body, scope);
  bool updates = false;
  for (const TStmt &s : cfg.step)
    updates |= s.kind == TStmt::Kind::Update;
  bool updateStmt = false;
  for (const ast::StmtPtr &st : step.body)
    updateStmt |= llvm::isa<ast::UpdateStmt>(st.get());
  if (!updates && !updateStmt && diags.getNumErrors() == before)
    diags.error(step.loc, "a train step must contain at least one "
                          "'update MODEL with OPTIMIZER minimizing LOSS'");
  if (diags.getNumErrors() != before)
    return;
  checkStepOrder(cfg);
  if (show)
    resolveShow(*show, cfg, scope);
}

/// `show = [x, fake]`: each name a value of the step (an input or a
/// variable), an image batch [B, H, W] or [B, C, H, W] (C = 1 or 3), all of
/// one shape per sample.
void Sema::resolveShow(const ast::TrainSetting &show, TrainConfig &cfg,
                       const Scope &scope) {
  const Const *names = cfg.get("show");
  if (!names)
    return;
  Loc at = show.value->getLoc();
  std::vector<const ast::Expr *> items;
  if (auto *list = dyn_cast<ast::ListExpr>(show.value.get()))
    for (auto &e : list->elems)
      items.push_back(e.get());
  else
    items.push_back(show.value.get());
  for (size_t i = 0; i < names->list.size(); ++i) {
    const std::string &name = names->list[i].s;
    Loc loc = i < items.size() ? items[i]->getLoc() : at;
    auto it = scope.vars.find(name);
    if (it == scope.vars.end() || it->second.kind != Binding::Kind::Tensor) {
      std::vector<std::string> known;
      for (auto &kv : scope.vars)
        if (kv.second.kind == Binding::Kind::Tensor)
          known.push_back(kv.first);
      std::string s = closestName(name, known);
      diags.error(loc, "show: '" + name + "' is not a value of the step" +
                           (s.empty() ? "" : "; did you mean '" + s + "'?"));
      return;
    }
    const Binding &b = it->second;
    const Type &t = b.type;
    bool image = isFloat(t.dtype) && t.rank() >= 3 && t.rank() <= 4 &&
                 t.shape[0].sym == "B";
    for (size_t d = 1; image && d < t.rank(); ++d)
      image = t.shape[d].isKnown();
    if (image && t.rank() == 4)
      image = t.shape[1].size == 1 || t.shape[1].size == 3;
    if (!image) {
      diags.error(loc, "show: '" + name + "' is '" + t.str() +
                           "', not a batch of images [B, H, W] or "
                           "[B, C, H, W] with C = 1 or 3 (reshape it)");
      return;
    }
    TrainConfig::Shown shown{name, b.ref, b.index, b.def, t};
    if (!cfg.show.empty()) {
      Shape a(cfg.show[0].type.shape.begin() + 1, cfg.show[0].type.shape.end());
      Shape c(t.shape.begin() + 1, t.shape.end());
      auto pixels = [](const Shape &s) {
        int64_t n = 1;
        for (const Dim &d : s)
          n *= d.size;
        return n;
      };
      if (pixels(a) != pixels(c) ||
          a.back().size != c.back().size) {
        diags.error(loc, "show: '" + name + "' is '" + t.str() +
                             "', but '" + cfg.show[0].name + "' is '" +
                             cfg.show[0].type.str() +
                             "'; the grid's images have one size");
        return;
      }
    }
    cfg.show.push_back(shown);
  }
}

/// The statements of a step run in order, and an update changes its
/// model's parameters for the statements after it. A value computed with a
/// model's parameters before an update of that model and used after it
/// would need the old parameters kept; it is an error (compute it again
/// after the update). Each model is updated once (one optimiser state).
void Sema::checkStepOrder(const TrainConfig &cfg) {
  std::map<const TExpr *, size_t> defAt;
  for (size_t i = 0; i < cfg.step.size(); ++i)
    if (cfg.step[i].kind == TStmt::Kind::Assign)
      defAt[cfg.step[i].value.get()] = i;
  // The models whose parameters each value depends on, through the locals
  // it uses.
  std::map<const TExpr *, std::set<std::string>> modelsOf;
  std::function<void(const TExpr &, std::set<std::string> &)> collect =
      [&](const TExpr &e, std::set<std::string> &out) {
        if (e.kind == TExpr::Kind::Model)
          out.insert(e.name);
        if (e.kind == TExpr::Kind::Local && e.def) {
          auto it = modelsOf.find(e.def);
          if (it != modelsOf.end())
            out.insert(it->second.begin(), it->second.end());
        }
        for (auto &o : e.operands)
          if (o)
            collect(*o, out);
      };
  for (const TStmt &st : cfg.step)
    if (st.kind == TStmt::Kind::Assign)
      collect(*st.value, modelsOf[st.value.get()]);

  std::map<std::string, const TStmt *> updated;
  for (size_t q = 0; q < cfg.step.size(); ++q) {
    const TStmt &st = cfg.step[q];
    // The locals this statement uses directly.
    std::function<void(const TExpr &)> check = [&](const TExpr &e) {
      if (e.kind == TExpr::Kind::Local && e.def) {
        auto at = defAt.find(e.def);
        if (at == defAt.end())
          return;
        for (size_t k = at->second + 1; k < q; ++k) {
          const TStmt &u = cfg.step[k];
          if (u.kind == TStmt::Kind::Update &&
              modelsOf[e.def].count(u.model)) {
            diags.error(e.loc,
                        "'" + e.name + "' was computed with the parameters "
                        "of model '" + u.model + "' before 'update " +
                            u.model + "' changed them; compute it again "
                            "after the update (the step's statements run in "
                            "order)");
            diags.note(u.loc, "the update is here");
            return;
          }
        }
        return;
      }
      for (auto &o : e.operands)
        if (o)
          check(*o);
    };
    check(*st.value);
    if (st.kind != TStmt::Kind::Update)
      continue;
    auto [it, inserted] = updated.emplace(st.model, &st);
    if (!inserted) {
      diags.error(st.loc, "model '" + st.model + "' is updated twice in this "
                          "step; a model has one optimizer (one update per "
                          "model)");
      diags.note(it->second->loc, "the first update is here");
    }
  }
}

} // namespace dlc::sema::detail
