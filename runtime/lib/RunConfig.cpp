//===- RunConfig.cpp - Effective settings of a run ------------------------===//
//
// The descriptor defaults of a run and their JSON form, which checkpoints
// store so that --resume restores the recipe; see Trainer.h.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Dataset.h"
#include "dlrt/Error.h"
#include "dlrt/Schedule.h"
#include "dlrt/Trainer.h"

#include <fmt/format.h>

#include <cmath>
#include <iterator>
#include <cstdint>
#include <cstring>

using nlohmann::json;

namespace dlrt {

const char *optimizerName(int32_t kind) {
  return vocab::nameOf(vocab::optimizerKinds, kind);
}

RunConfig RunConfig::fromDescriptor(const dlrt_model_desc &desc) {
  const dlrt_train_desc &t = desc.train;
  RunConfig c;
  c.epochs = t.epochs > 0 ? t.epochs : 1;
  c.batch = t.batch > 0 ? t.batch : 32;
  c.seed = t.seed;
  c.validation = t.validation;
  c.data.kind = t.data_kind;
  c.data.dir = t.data_path ? t.data_path : "";
  for (int f = 0; f < DLRT_NUM_DATA_FILES; ++f)
    c.data.files[f] = t.data_files[f] ? t.data_files[f] : "";
  // Newline-terminated names.
  for (const char *p = t.csv_targets; p && *p;) {
    const char *end = std::strchr(p, '\n');
    if (!end)
      end = p + std::strlen(p);
    c.data.csvTargets.emplace_back(p, end);
    p = *end ? end + 1 : end;
  }
  c.data.csvHeader = t.csv_header;
  c.data.textUnit = t.text_unit;
  c.optimizer = t.optimizer;
  if (c.optimizer.lr <= 0)
    c.optimizer.lr = 0.01;
  c.schedule = t.schedule;
  c.earlyStop = t.early_stop;
  c.metrics = t.metrics ? t.metrics : uint32_t(DLRT_METRIC_ACCURACY);
  c.normalize = t.normalize;
  c.augment = t.augment;
  c.cropPadding = t.crop_padding;
  c.shiftPixels = t.shift_pixels;
  c.noiseStd = t.noise_std;
  c.balance = t.balance;
  c.folds = t.folds > 1 ? t.folds : 1;
  c.snapshots = t.snapshots > 1 ? t.snapshots : 1;
  return c;
}

json RunConfig::toJson() const {
  const dlrt_optimizer_desc &o = optimizer;
  const dlrt_schedule_desc &s = schedule;
  return {
      {"epochs", epochs},
      {"batch", batch},
      {"seed", seed},
      {"validation", validation},
      {"limit", limit},
      {"data", data.dir},
      {"data_files", data.files},
      {"data_kind", dataKindName(data.kind)},
      {"optimizer",
       {{"kind", optimizerName(o.kind)},
        {"kind_id", o.kind},
        {"lr", o.lr},
        {"momentum", o.momentum},
        {"nesterov", o.nesterov},
        {"weight_decay", o.weight_decay},
        {"beta1", o.beta1},
        {"beta2", o.beta2},
        {"eps", o.eps}}},
      {"schedule",
       {{"kind", scheduleName(s.kind)},
        {"kind_id", s.kind},
        {"step_epochs", s.step_epochs},
        {"gamma", s.gamma},
        {"min_lr", s.min_lr},
        {"max_lr", s.max_lr},
        {"pct_start", s.pct_start},
        {"div_factor", s.div_factor},
        {"final_div_factor", s.final_div_factor},
        {"t0", s.t0},
        {"t_mult", s.t_mult}}},
      {"early_stop",
       {{"patience", earlyStop.patience},
        {"monitor", monitorName(earlyStop)},
        {"metric_id", earlyStop.metric},
        {"validation", earlyStop.validation},
        {"min_delta", earlyStop.min_delta}}},
      {"metrics", metrics},
      {"normalize", vocab::nameOf(vocab::normalizeKinds, normalize)},
      {"augment",
       {{"flags", augment},
        {"crop_padding", cropPadding},
        {"shift_pixels", shiftPixels},
        {"noise_std", noiseStd}}},
      {"balance", vocab::nameOf(vocab::balanceKinds, balance)},
      {"folds", folds},
      {"snapshots", snapshots},
  };
}

namespace {

/// Reads the fields of a checkpoint's train_config, checking each one's type
/// and range; every error names the checkpoint and the field.
class ConfigReader {
public:
  explicit ConfigReader(const std::string &path) : path(path) {}

  const json &object(const json &parent, const std::string &key,
                     const std::string &prefix = "") const {
    const json &value = field(parent, key, prefix);
    if (!value.is_object())
      bad(prefix + key, value, "a JSON object");
    return value;
  }

  int64_t integer(const json &parent, const std::string &key, int64_t lo,
                  int64_t hi, const std::string &prefix = "") const {
    const json &value = field(parent, key, prefix);
    std::string range = fmt::format("an integer in [{}, {}]", lo, hi);
    if (value.is_number_unsigned()) {
      uint64_t v = value.get<uint64_t>();
      if (v > uint64_t(INT64_MAX) || int64_t(v) < lo || int64_t(v) > hi)
        bad(prefix + key, value, range);
      return int64_t(v);
    }
    if (!value.is_number_integer())
      bad(prefix + key, value, range);
    int64_t v = value.get<int64_t>();
    if (v < lo || v > hi)
      bad(prefix + key, value, range);
    return v;
  }

  uint64_t unsignedInteger(const json &parent, const std::string &key) const {
    const json &value = field(parent, key, "");
    if (!value.is_number_unsigned() &&
        !(value.is_number_integer() && value.get<int64_t>() >= 0))
      bad(key, value, "an integer in [0, 2^64)");
    return value.get<uint64_t>();
  }

  /// A finite number in [lo, hi] (`lo` excluded if `openLow`, `hi` if
  /// `openHigh`).
  double real(const json &parent, const std::string &key, double lo,
              double hi, bool openLow, bool openHigh,
              const std::string &prefix = "") const {
    const json &value = field(parent, key, prefix);
    std::string range =
        hi == HUGE_VAL
            ? fmt::format("a finite number {} {}", openLow ? ">" : ">=", lo)
            : fmt::format("a number in {}{}, {}{}", openLow ? "(" : "[", lo,
                          hi, openHigh ? ")" : "]");
    if (!value.is_number())
      bad(prefix + key, value, range);
    double v = value.get<double>();
    if (!std::isfinite(v) || (openLow ? v <= lo : v < lo) ||
        (openHigh ? v >= hi : v > hi))
      bad(prefix + key, value, range);
    return v;
  }

  /// A kind id in [0, count) whose name, if the entry `nameKey` is present,
  /// must be `name(id)`.
  int32_t kind(const json &parent, const std::string &idKey,
               const std::string &nameKey, int32_t count,
               const char *(*name)(int32_t), const std::string &prefix) const {
    const json &value = field(parent, idKey, prefix);
    if (!value.is_number_integer() || value.get<int64_t>() < 0 ||
        value.get<int64_t>() >= count) {
      std::vector<std::string> known;
      for (int32_t k = 0; k < count; ++k)
        known.push_back(fmt::format("{} ({})", k, name(k)));
      bad(prefix + idKey, value,
          fmt::format("one of {}", fmt::join(known, ", ")));
    }
    int32_t id = value.get<int32_t>();
    if (parent.contains(nameKey)) {
      const json &text = parent[nameKey];
      if (!text.is_string() || text.get<std::string>() != name(id))
        fail("checkpoint '{}': train_config field '{}{}' is {} but '{}{}' is "
             "{} ({})",
             path, prefix, nameKey, text.dump(), prefix, idKey, id, name(id));
    }
    return id;
  }

private:
  const json &field(const json &parent, const std::string &key,
                    const std::string &prefix) const {
    if (!parent.contains(key))
      fail("checkpoint '{}': train_config lacks the field '{}{}'", path,
           prefix, key);
    return parent[key];
  }

  [[noreturn]] void bad(const std::string &key, const json &value,
                        const std::string &expected) const {
    fail("checkpoint '{}': train_config field '{}' is {}; expected {}", path,
         key, value.dump(), expected);
  }

  const std::string &path;
};

} // namespace

void RunConfig::restoreFrom(const json &saved, const dlrt_model_desc &desc,
                            const std::string &path) {
  ConfigReader r(path);
  if (!saved.is_object())
    fail("checkpoint '{}': train_config is not a JSON object", path);
  epochs = static_cast<int32_t>(r.integer(saved, "epochs", 1, 1000000));
  batch = static_cast<int32_t>(r.integer(saved, "batch", 1, 1 << 20));
  seed = r.unsignedInteger(saved, "seed");
  validation = r.real(saved, "validation", 0, 1, false, true);
  limit = r.integer(saved, "limit", 0, INT64_MAX);

  const json &o = r.object(saved, "optimizer");
  const std::string op = "optimizer.";
  int32_t kind = r.kind(o, "kind_id", "kind",
                        std::size(vocab::optimizerKinds), optimizerName, op);
  if (kind != desc.train.optimizer.kind)
    fail("checkpoint '{}' was trained with the optimizer {} but this "
         "trainer's compiled step uses {}",
         path, optimizerName(kind), optimizerName(desc.train.optimizer.kind));
  optimizer.kind = kind;
  optimizer.lr = r.real(o, "lr", 0, HUGE_VAL, true, false, op);
  optimizer.momentum = r.real(o, "momentum", 0, HUGE_VAL, false, false, op);
  optimizer.nesterov = static_cast<int32_t>(r.integer(o, "nesterov", 0, 1, op));
  optimizer.weight_decay =
      r.real(o, "weight_decay", 0, HUGE_VAL, false, false, op);
  optimizer.beta1 = r.real(o, "beta1", 0, 1, false, true, op);
  optimizer.beta2 = r.real(o, "beta2", 0, 1, false, true, op);
  optimizer.eps = r.real(o, "eps", 0, HUGE_VAL, false, false, op);

  const json &s = r.object(saved, "schedule");
  const std::string sp = "schedule.";
  schedule.kind = r.kind(s, "kind_id", "kind",
                         std::size(vocab::scheduleKinds), scheduleName, sp);
  schedule.step_epochs =
      static_cast<int32_t>(r.integer(s, "step_epochs", 0, 1000000, sp));
  schedule.gamma = r.real(s, "gamma", 0, HUGE_VAL, false, false, sp);
  schedule.min_lr = r.real(s, "min_lr", 0, HUGE_VAL, false, false, sp);
  schedule.max_lr = r.real(s, "max_lr", 0, HUGE_VAL, false, false, sp);
  schedule.pct_start = r.real(s, "pct_start", 0, 1, false, true, sp);
  schedule.div_factor = r.real(s, "div_factor", 0, HUGE_VAL, false, false, sp);
  schedule.final_div_factor =
      r.real(s, "final_div_factor", 0, HUGE_VAL, false, false, sp);
  // Checkpoints written before warm_restarts lack its two fields.
  if (s.contains("t0") || s.contains("t_mult")) {
    schedule.t0 = static_cast<int32_t>(r.integer(s, "t0", 0, 1000000, sp));
    schedule.t_mult =
        static_cast<int32_t>(r.integer(s, "t_mult", 0, 1000000, sp));
  }

  const json &e = r.object(saved, "early_stop");
  const std::string ep = "early_stop.";
  earlyStop.patience =
      static_cast<int32_t>(r.integer(e, "patience", 0, 1000000, ep));
  earlyStop.metric = static_cast<int32_t>(
      r.integer(e, "metric_id", DLRT_WATCH_LOSS,
                int64_t(std::size(vocab::metricKinds)) - 1, ep));
  earlyStop.validation =
      static_cast<int32_t>(r.integer(e, "validation", 0, 1, ep));
  earlyStop.min_delta = r.real(e, "min_delta", 0, HUGE_VAL, false, false, ep);
  constexpr int64_t AllMetrics =
      (int64_t(1) << std::size(vocab::metricKinds)) - 1;
  metrics = static_cast<uint32_t>(r.integer(saved, "metrics", 0, AllMetrics));

  // The data preparation is compiled into the trainer; checkpoints written
  // before it existed lack these fields (and then neither normalize nor
  // augment).
  if (saved.contains("normalize")) {
    const json &n = saved["normalize"];
    const char *mine = vocab::nameOf(vocab::normalizeKinds, desc.train.normalize);
    if (!n.is_string() || n.get<std::string>() != mine)
      fail("checkpoint '{}' was trained with normalize = {} but this "
           "trainer's model has normalize = {}",
           path, n.is_string() ? n.get<std::string>() : n.dump(), mine);
  }
  if (saved.contains("augment")) {
    const json &a = r.object(saved, "augment");
    const std::string ap = "augment.";
    uint32_t flags = static_cast<uint32_t>(r.integer(
        a, "flags", 0, (int64_t(1) << std::size(vocab::augmentKinds)) - 1, ap));
    int64_t padding = r.integer(a, "crop_padding", 0, 1 << 20, ap);
    int64_t pixels = r.integer(a, "shift_pixels", 0, 1 << 20, ap);
    double noise = r.real(a, "noise_std", 0, HUGE_VAL, false, false, ap);
    const dlrt_train_desc &t = desc.train;
    if (flags != t.augment || padding != t.crop_padding ||
        pixels != t.shift_pixels || noise != t.noise_std)
      fail("checkpoint '{}' was trained with other augmentations ({}) than "
           "this trainer's model has",
           path, a.dump());
  }
  // Balancing and folds are compiled in too; checkpoints written before
  // them lack the fields (and then neither).
  const char *myBalance = vocab::nameOf(vocab::balanceKinds, desc.train.balance);
  if (saved.contains("balance")) {
    const json &b = saved["balance"];
    if (!b.is_string() || b.get<std::string>() != myBalance)
      fail("checkpoint '{}' was trained with balance = {} but this trainer's "
           "model has balance = {}",
           path, b.is_string() ? b.get<std::string>() : b.dump(), myBalance);
  } else if (desc.train.balance != DLRT_BALANCE_NONE) {
    fail("checkpoint '{}' was trained without balance but this trainer's "
         "model has balance = {}",
         path, myBalance);
  }
  // Checkpoints written before snapshot ensembles lack the field (and then
  // have none).
  int64_t savedSnapshots = saved.contains("snapshots")
                               ? r.integer(saved, "snapshots", 1, 1000000)
                               : 1;
  int64_t mySnapshots = desc.train.snapshots > 1 ? desc.train.snapshots : 1;
  if (savedSnapshots != mySnapshots)
    fail("checkpoint '{}' was trained with snapshots = {} but this trainer's "
         "model has snapshots = {}",
         path, savedSnapshots, mySnapshots);
  if (saved.contains("folds")) {
    int64_t k = r.integer(saved, "folds", 1, 1000000);
    if (k > 1)
      fail("checkpoint '{}' is of a {}-fold cross-validation run, which "
           "--resume does not continue",
           path, k);
  }
}

} // namespace dlrt
