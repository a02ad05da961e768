//===- TrainAttr.cpp - The nn.train attribute -----------------------------===//
//
// Parses and verifies the `nn.train` function attribute (see NNDialect.td
// and TrainAttr.h), and hooks it into the dialect's attribute verifier.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/NN/IR/TrainAttr.h"
#include "dlc/Dialect/NN/IR/NNDialect.h"

#include "mlir/IR/Operation.h"

#include <cmath>

using namespace mlir;
using namespace dlc::nn;

double CallAttr::number(StringRef key, double dflt) const {
  Attribute a = args ? args.get(key) : Attribute();
  if (auto f = dyn_cast_or_null<FloatAttr>(a))
    return f.getValueAsDouble();
  if (auto i = dyn_cast_or_null<IntegerAttr>(a))
    return double(i.getInt());
  return dflt;
}

int64_t CallAttr::integer(StringRef key, int64_t dflt) const {
  if (auto i = dyn_cast_or_null<IntegerAttr>(args ? args.get(key)
                                                  : Attribute()))
    return i.getInt();
  return dflt;
}

std::string CallAttr::string(StringRef key) const {
  if (auto s = dyn_cast_or_null<StringAttr>(args ? args.get(key)
                                                 : Attribute()))
    return s.str();
  return "";
}

std::optional<CallAttr> TrainRecipe::initOf(StringRef key) const {
  auto dict = dyn_cast_or_null<DictionaryAttr>(params ? params.get(key)
                                                      : Attribute());
  if (!dict)
    return std::nullopt;
  return CallAttr{cast<StringAttr>(dict.get("kind")).str(), dict};
}

bool TrainRecipe::isFrozen(StringRef key) const {
  return llvm::is_contained(frozen, key);
}

namespace {

/// Reads the entries of one dictionary, reporting the first problem.
struct Reader {
  DictionaryAttr dict;
  StringRef where;
  function_ref<InFlightDiagnostic()> emitError;
  bool ok = true;

  Attribute get(StringRef key, bool required = true) {
    Attribute a = dict.get(key);
    if (!a && required && ok) {
      emitError() << where << ": missing '" << key << "'";
      ok = false;
    }
    return a;
  }
  void wrongType(StringRef key, StringRef what) {
    if (ok)
      emitError() << where << ": '" << key << "' must be " << what;
    ok = false;
  }
  std::string str(StringRef key) {
    Attribute a = get(key);
    if (auto s = dyn_cast_or_null<StringAttr>(a))
      return s.str();
    if (a)
      wrongType(key, "a string");
    return "";
  }
  int64_t integer(StringRef key, int64_t min) {
    Attribute a = get(key);
    if (auto i = dyn_cast_or_null<IntegerAttr>(a)) {
      if (i.getInt() >= min)
        return i.getInt();
      wrongType(key, "an integer of at least " + std::to_string(min));
    } else if (a) {
      wrongType(key, "an integer");
    }
    return min;
  }
  double number(StringRef key) {
    Attribute a = get(key);
    if (auto f = dyn_cast_or_null<FloatAttr>(a))
      return f.getValueAsDouble();
    if (auto i = dyn_cast_or_null<IntegerAttr>(a))
      return double(i.getInt());
    if (a)
      wrongType(key, "a number");
    return 0;
  }
  std::optional<CallAttr> call(StringRef key, bool required = true) {
    Attribute a = get(key, required);
    if (!a)
      return std::nullopt;
    auto d = dyn_cast<DictionaryAttr>(a);
    if (!d || !isa_and_nonnull<StringAttr>(d.get("kind"))) {
      wrongType(key, "a dictionary with a string 'kind'");
      return std::nullopt;
    }
    return CallAttr{cast<StringAttr>(d.get("kind")).str(), d};
  }
};

} // namespace

FailureOr<TrainRecipe>
dlc::nn::parseTrainAttr(DictionaryAttr dict,
                        function_ref<InFlightDiagnostic()> emitError) {
  if (!dict) {
    emitError() << "nn.train must be a dictionary";
    return failure();
  }
  Reader r{dict, "nn.train", emitError};
  Attribute at = r.get("at");
  if (at && !isa<LocationAttr>(at))
    r.wrongType("at", "a location");
  TrainRecipe t{at && isa<LocationAttr>(at) ? Location(cast<LocationAttr>(at))
                                            : Location(UnknownLoc::get(
                                                  dict.getContext()))};
  t.model = r.str("model");
  if (auto c = r.call("data"))
    t.data = *c;
  if (auto c = r.call("loss"))
    t.loss = *c;
  if (auto c = r.call("schedule"))
    t.schedule = *c;
  t.earlyStop = r.call("early_stop", /*required=*/false);
  t.epochs = r.integer("epochs", 1);
  t.batch = r.integer("batch", 1);
  t.seed = uint64_t(r.integer("seed", INT64_MIN));
  t.validation = r.number("validation");
  if (r.ok && !(t.validation >= 0 && t.validation < 1))
    r.wrongType("validation", "in [0, 1)");
  if (r.ok) {
    Reader data{t.data.args, "nn.train: data", emitError};
    t.classes = data.integer("classes", 0);
    r.ok = data.ok;
  }
  if (Attribute m = r.get("metrics")) {
    auto list = dyn_cast<ArrayAttr>(m);
    if (!list)
      r.wrongType("metrics", "an array of names");
    for (Attribute a : list ? list.getValue() : ArrayRef<Attribute>())
      if (auto s = dyn_cast<StringAttr>(a))
        t.metrics.push_back(s.str());
      else
        r.wrongType("metrics", "an array of names");
  }
  if (Attribute f = r.get("frozen", /*required=*/false)) {
    auto list = dyn_cast<ArrayAttr>(f);
    if (!list)
      r.wrongType("frozen", "an array of checkpoint keys");
    for (Attribute a : list ? list.getValue() : ArrayRef<Attribute>())
      if (auto s = dyn_cast<StringAttr>(a))
        t.frozen.push_back(s.str());
      else
        r.wrongType("frozen", "an array of checkpoint keys");
  }
  if (Attribute n = r.get("normalize", /*required=*/false)) {
    // A name, or a dictionary with its `kind` and arguments (the
    // whitenings' eps).
    auto d = dyn_cast<DictionaryAttr>(n);
    if (auto name = dyn_cast<StringAttr>(n)) {
      t.normalize = name.str();
    } else if (d && isa_and_nonnull<StringAttr>(d.get("kind"))) {
      CallAttr c{cast<StringAttr>(d.get("kind")).str(), d};
      t.normalize = c.kind;
      t.whitenEps = c.number("eps", t.whitenEps);
      if (!(t.whitenEps > 0))
        r.wrongType("normalize", "a normalisation whose eps is positive");
    } else {
      r.wrongType("normalize", "a name or a dictionary with a string 'kind'");
    }
  }
  if (Attribute a = r.get("augment", /*required=*/false)) {
    auto list = dyn_cast<ArrayAttr>(a);
    if (!list)
      r.wrongType("augment", "an array of dictionaries with a string 'kind'");
    for (Attribute item : list ? list.getValue() : ArrayRef<Attribute>()) {
      auto d = dyn_cast<DictionaryAttr>(item);
      if (!d || !isa_and_nonnull<StringAttr>(d.get("kind"))) {
        r.wrongType("augment",
                    "an array of dictionaries with a string 'kind'");
        break;
      }
      t.augment.push_back(CallAttr{cast<StringAttr>(d.get("kind")).str(), d});
    }
  }
  if (Attribute g = r.get("target", /*required=*/false)) {
    // "labels", "input" (the functions' arguments say which), or the
    // dictionary of input_mask.
    auto d = dyn_cast<DictionaryAttr>(g);
    if (d && d.get("kind") == StringAttr::get(d.getContext(), "input_mask")) {
      CallAttr c{"input_mask", d};
      t.maskThreshold = c.number("threshold", 0.5);
      if (!std::isfinite(*t.maskThreshold))
        r.wrongType("target", "an input_mask with a finite threshold");
    } else if (!isa<StringAttr>(g)) {
      r.wrongType("target", "a name or an input_mask dictionary");
    }
  }
  if (Attribute b = r.get("balance", /*required=*/false)) {
    if (auto name = dyn_cast<StringAttr>(b))
      t.balance = name.str();
    else
      r.wrongType("balance", "a name");
  }
  if (r.get("folds", /*required=*/false))
    t.folds = r.integer("folds", 2);
  if (r.get("snapshots", /*required=*/false))
    t.snapshots = r.integer("snapshots", 2);
  if (Attribute p = r.get("params")) {
    t.params = dyn_cast<DictionaryAttr>(p);
    if (!t.params)
      r.wrongType("params", "a dictionary of initialisers");
    for (NamedAttribute e : t.params ? t.params.getValue()
                                     : ArrayRef<NamedAttribute>()) {
      auto d = dyn_cast<DictionaryAttr>(e.getValue());
      if (!d || !isa_and_nonnull<StringAttr>(d.get("kind")))
        r.wrongType(("params." + e.getName().getValue()).str(),
                    "a dictionary with a string 'kind'");
    }
  }
  if (Attribute u = r.get("updates", /*required=*/false)) {
    auto list = dyn_cast<ArrayAttr>(u);
    if (!list || list.empty())
      r.wrongType("updates", "a non-empty array of dictionaries");
    for (Attribute a : list ? list.getValue() : ArrayRef<Attribute>()) {
      auto d = dyn_cast<DictionaryAttr>(a);
      if (!d) {
        r.wrongType("updates", "an array of dictionaries");
        break;
      }
      Reader row{d, "nn.train: update", emitError};
      TrainRecipe::Update update{row.str("model"), row.str("loss"),
                                 d.getAs<DictionaryAttr>("optimizer")};
      if (!row.ok) {
        r.ok = false;
        break;
      }
      t.updates.push_back(update);
    }
  }
  if (Attribute sh = r.get("show", /*required=*/false)) {
    auto d = dyn_cast<DictionaryAttr>(sh);
    auto names = d ? d.getAs<ArrayAttr>("names") : ArrayAttr();
    Reader row{d ? d : DictionaryAttr::get(sh.getContext()), "nn.train: show",
               emitError};
    TrainRecipe::Show show;
    if (d) {
      show.channels = row.integer("channels", 0);
      show.height = row.integer("height", 0);
      show.width = row.integer("width", 0);
    }
    for (Attribute a : names ? names.getValue() : ArrayRef<Attribute>())
      if (auto n = dyn_cast<StringAttr>(a))
        show.names.push_back(n.str());
    if (!d || !names || show.names.empty() || !row.ok ||
        (show.channels != 1 && show.channels != 3) || show.height < 1 ||
        show.width < 1)
      r.wrongType("show", "a dictionary {names, channels (1 or 3), height, "
                          "width}");
    else
      t.show = show;
  }
  if (Attribute l = r.get("layers")) {
    auto list = dyn_cast<ArrayAttr>(l);
    if (!list)
      r.wrongType("layers", "an array of dictionaries");
    for (Attribute a : list ? list.getValue() : ArrayRef<Attribute>()) {
      auto d = dyn_cast<DictionaryAttr>(a);
      if (!d) {
        r.wrongType("layers", "an array of dictionaries");
        break;
      }
      Reader row{d, "nn.train: layer", emitError};
      TrainRecipe::Layer layer{row.str("name"), row.str("op"),
                               row.str("shape"), row.integer("flops", 0)};
      if (!row.ok) {
        r.ok = false;
        break;
      }
      t.layers.push_back(layer);
    }
  }
  if (!r.ok)
    return failure();
  return t;
}

LogicalResult NNDialect::verifyOperationAttribute(Operation *op,
                                                  NamedAttribute attr) {
  if (attr.getName() != kTrainAttrName)
    return success();
  auto list = dyn_cast<ArrayAttr>(attr.getValue());
  if (!list)
    return op->emitOpError() << "nn.train must be an array of recipes";
  for (Attribute recipe : list)
    if (failed(parseTrainAttr(dyn_cast<DictionaryAttr>(recipe),
                              [&] { return op->emitOpError(); })))
      return failure();
  return success();
}
