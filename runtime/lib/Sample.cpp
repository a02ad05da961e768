//===- Sample.cpp - ./train sample: text from a language model
//-------------===//
//
// Autoregressive generation with the compiled eval_step of a model trained
// on a text data source: the context window holds the last T tokens (the
// prompt's, then the generated ones); the scores of the window's last
// position, divided by the temperature, are turned into probabilities by a
// softmax, and the next token is drawn from them with the stream ("sample",
// 0) of --seed. The ids mean the tokens of the checkpoint's vocabulary.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Error.h"
#include "dlrt/Model.h"
#include "dlrt/Random.h"
#include "dlrt/StepRunner.h"
#include "dlrt/Text.h"
#include "dlrt/Trainer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dlrt {

int runSample(const dlrt_model_desc &desc, const RunConfig &config) {
  if (desc.train.data_kind != DLRT_DATA_TEXT_FILES || !hasIntegerInput(desc) ||
      labelsPerSample(desc) < 1 || desc.input_rank != 1 ||
      labelsPerSample(desc) != desc.input_shape[0])
    fail("'sample' generates text with a language model: a model from token "
         "ids [B, T] to scores [B, T, C] trained on a text(...) data "
         "source, but this trainer's model is not one");
  if (!(config.temperature > 0) || !std::isfinite(config.temperature))
    fail("--temperature must be a positive number, got {}", config.temperature);
  RunConfig one = config;
  one.batch = 1;
  ModelState state(desc, desc.train.optimizer.num_slots);
  std::map<std::string, std::string> meta;
  loadWeights(state, one, "sample", &meta);
  auto saved = meta.find("vocabulary");
  if (saved == meta.end())
    fail("checkpoint '{}' has no vocabulary (metadata 'vocabulary'): "
         "'sample' needs the tokens its ids mean; train this model on its "
         "text(...) source to get one",
         config.weights);
  std::vector<std::string> vocabulary =
      parseVocabulary(saved->second, config.weights);
  const int64_t classes = desc.num_classes;
  if (int64_t(vocabulary.size()) > classes)
    fail("checkpoint '{}' has a vocabulary of {} tokens but the model "
         "scores {} classes",
         config.weights, vocabulary.size(), classes);
  auto unitIt = meta.find("text_unit");
  int32_t unit = unitIt == meta.end()       ? desc.train.text_unit
                 : unitIt->second == "word" ? DLRT_TEXT_WORD
                                            : DLRT_TEXT_CHAR;
  auto idOf = [&](const std::string &token) -> int64_t {
    auto it = std::lower_bound(vocabulary.begin(), vocabulary.end(), token);
    return it != vocabulary.end() && *it == token ? it - vocabulary.begin()
                                                  : -1;
  };
  // The prompt: its tokens, or a newline (the start of a line).
  std::vector<int64_t> history;
  if (!config.prompt.empty()) {
    for (const std::string &t : tokenize(config.prompt, unit, "--prompt")) {
      int64_t id = idOf(t);
      if (id < 0)
        fail("--prompt: token {} is not in the vocabulary of '{}' ({} "
             "tokens)",
             showToken(t), config.weights, vocabulary.size());
      history.push_back(id);
    }
  } else {
    int64_t newline = idOf("\n");
    history.push_back(newline >= 0 ? newline : 0);
  }
  applyThreads(desc, one);
  StepRunner runner(desc, state, one);
  const int64_t context = desc.input_shape[0];
  Rng rng(deriveSeed(config.seed, "sample", 0));
  std::vector<double> p(size_t(vocabulary.size()));
  std::string text = config.prompt;
  for (int64_t k = 0; k < config.sampleLength; ++k) {
    // The last `context` tokens; a shorter history fills the window's
    // first positions (a causal model's scores at them do not depend on
    // the positions after).
    int64_t len = std::min<int64_t>(context, int64_t(history.size()));
    int64_t *ids = runner.idsToSet();
    for (int64_t t = 0; t < context; ++t)
      ids[t] = t < len ? history[history.size() - len + t] : history.back();
    int64_t *labels = runner.labelsToSet();
    std::fill(labels, labels + context, 0);
    runner.run(desc.eval_step, "eval_step", false, 1, 0, k);
    const float *scores = runner.logitsData() + (len - 1) * classes;
    // Softmax of scores / temperature over the vocabulary's ids.
    double top = -HUGE_VAL;
    for (size_t c = 0; c < p.size(); ++c)
      top = std::max(top, double(scores[c]) / config.temperature);
    double z = 0;
    for (size_t c = 0; c < p.size(); ++c)
      z += p[c] = std::exp(double(scores[c]) / config.temperature - top);
    double u = rng.uniform() * z, acc = 0;
    size_t next = p.size() - 1;
    for (size_t c = 0; c < p.size(); ++c)
      if ((acc += p[c]) > u) {
        next = c;
        break;
      }
    history.push_back(int64_t(next));
    text += vocabulary[next];
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (text.empty() || text.back() != '\n')
    std::fputc('\n', stdout);
  return 0;
}

} // namespace dlrt
