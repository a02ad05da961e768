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

using nlohmann::json;

namespace dlrt {

const char *optimizerName(int32_t kind) {
  switch (kind) {
  case DLRT_OPT_SGD:
    return "sgd";
  case DLRT_OPT_ADAM:
    return "adam";
  case DLRT_OPT_ADAMW:
    return "adamw";
  case DLRT_OPT_RMSPROP:
    return "rmsprop";
  case DLRT_OPT_ADAGRAD:
    return "adagrad";
  }
  return "unknown";
}

RunConfig RunConfig::fromDescriptor(const dlrt_model_desc &desc) {
  const dlrt_train_desc &t = desc.train;
  RunConfig c;
  c.epochs = t.epochs > 0 ? t.epochs : 1;
  c.batch = t.batch > 0 ? t.batch : 32;
  c.seed = t.seed;
  c.validation = t.validation;
  c.data = t.data_path ? t.data_path : "";
  c.dataKind = t.data_kind;
  c.optimizer = t.optimizer;
  if (c.optimizer.lr <= 0)
    c.optimizer.lr = 0.01;
  c.schedule = t.schedule;
  c.earlyStop = t.early_stop;
  c.metrics = t.metrics ? t.metrics : uint32_t(DLRT_METRIC_ACCURACY);
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
      {"data", data},
      {"data_kind", dataKindName(dataKind)},
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
        {"final_div_factor", s.final_div_factor}}},
      {"early_stop",
       {{"patience", earlyStop.patience},
        {"monitor", monitorName(earlyStop.monitor)},
        {"monitor_id", earlyStop.monitor},
        {"min_delta", earlyStop.min_delta}}},
      {"metrics", metrics},
  };
}

void RunConfig::restoreFrom(const json &saved) {
  try {
    epochs = saved.at("epochs").get<int32_t>();
    batch = saved.at("batch").get<int32_t>();
    seed = saved.at("seed").get<uint64_t>();
    validation = saved.at("validation").get<double>();
    limit = saved.at("limit").get<int64_t>();
    const json &o = saved.at("optimizer");
    optimizer.kind = o.at("kind_id").get<int32_t>();
    optimizer.lr = o.at("lr").get<double>();
    optimizer.momentum = o.at("momentum").get<double>();
    optimizer.nesterov = o.at("nesterov").get<int32_t>();
    optimizer.weight_decay = o.at("weight_decay").get<double>();
    optimizer.beta1 = o.at("beta1").get<double>();
    optimizer.beta2 = o.at("beta2").get<double>();
    optimizer.eps = o.at("eps").get<double>();
    const json &s = saved.at("schedule");
    schedule.kind = s.at("kind_id").get<int32_t>();
    schedule.step_epochs = s.at("step_epochs").get<int32_t>();
    schedule.gamma = s.at("gamma").get<double>();
    schedule.min_lr = s.at("min_lr").get<double>();
    schedule.max_lr = s.at("max_lr").get<double>();
    schedule.pct_start = s.at("pct_start").get<double>();
    schedule.div_factor = s.at("div_factor").get<double>();
    schedule.final_div_factor = s.at("final_div_factor").get<double>();
    const json &e = saved.at("early_stop");
    earlyStop.patience = e.at("patience").get<int32_t>();
    earlyStop.monitor = e.at("monitor_id").get<int32_t>();
    earlyStop.min_delta = e.at("min_delta").get<double>();
    metrics = saved.at("metrics").get<uint32_t>();
  } catch (const json::exception &e) {
    fail("malformed train_config in checkpoint: {}", e.what());
  }
}

} // namespace dlrt
