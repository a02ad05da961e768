//===- Evaluate.cpp - eval and predict ------------------------------------===//
//
// `./train eval --weights W` (metrics and confusion matrix on the test set)
// and `./train predict --weights W` (one predicted class, or the predicted
// values, per test sample).
//
//===----------------------------------------------------------------------===//

#include "dlrt/Error.h"
#include "dlrt/Log.h"
#include "dlrt/Npy.h"
#include "dlrt/Plot.h"
#include "dlrt/Png.h"
#include "dlrt/Random.h"
#include "dlrt/SafeTensors.h"
#include "dlrt/Snapshots.h"
#include "dlrt/StepRunner.h"
#include "dlrt/Trainer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

using nlohmann::json;

namespace dlrt {

/// Loads the weights saved for `command`, the test set and a runner of the
/// model's steps (with the configured threads), and returns fn(test, runner).
template <typename Fn>
static int onTestSet(const dlrt_model_desc &desc, const RunConfig &config,
                     const char *command, Fn fn) {
  if (!config.show.empty())
    checkSaveTarget(config.show);
  if (!config.plot.empty())
    checkPlotTarget(config.plot);
  ModelState state(desc, desc.train.optimizer.num_slots);
  std::map<std::string, std::string> meta;
  Normalizer normalizer = loadWeights(state, config, command, &meta);
  applyThreads(desc, config);
  Dataset test = loadPart(desc, config, "test");
  checkDataVocabulary(desc, meta, test, config.weights);
  if (test.size() == 0)
    fail("'{}' needs a test set, but the data source has none ({})", command,
         config.data.describe());
  StepRunner runner(desc, state, config);
  runner.setNormalizer(std::move(normalizer));
  return fn(test, runner);
}

int runEval(const dlrt_model_desc &desc, const RunConfig &config) {
  int ensembleStatus = 0;
  if (evalSnapshotEnsemble(desc, config, &ensembleStatus))
    return ensembleStatus;
  return onTestSet(
      desc, config, "eval", [&](const Dataset &test, StepRunner &runner) {
        // Every metric that applies to the model's targets (none for an
        // explicit step, which has no outputs).
        uint32_t flags = desc.num_step_losses == 0 ? ~0u : 0u;
        EvalResult tested =
            config.tta
                ? runner.evaluateTta(test, allIndices(test.size()), flags)
                : runner.evaluate(test, allIndices(test.size()), flags);
        json record;
        if (config.tta)
          record["tta"] = "identity, hflip";
        fmt::print("test ({} samples{}): {}\n", test.size(),
                   config.tta ? ", test-time augmentation: mean of identity "
                                "and hflip"
                              : "",
                   describeMetrics(tested, flags, "", &record));
        if (flags && tested.confusion().numClasses() > 0)
          fmt::print(
              "confusion matrix (rows: actual, columns: predicted):\n{}",
              tested.confusion().format());
        if (!config.log.empty()) {
          JsonlLog log(config.log, false);
          record["event"] = "test";
          log.write(record);
        }
        if (!config.show.empty()) {
          drawShow(desc, runner, test, config.show);
          fmt::print("wrote '{}'\n", config.show);
        }
        if (!config.plot.empty()) {
          std::string svg = confusionSvg(
              tested.confusion(),
              fmt::format("{}: confusion matrix of '{}' on the test set",
                          desc.name ? desc.name : "model", config.weights));
          writeFileAtomically(config.plot,
                              std::vector<uint8_t>(svg.begin(), svg.end()));
          fmt::print("wrote '{}'\n", config.plot);
        }
        return 0;
      });
}

int runPlot(const dlrt_model_desc &desc, const RunConfig &config) {
  checkPlotTarget(config.output);
  std::string svg = curvesSvg(
      readLogRecords(config.plotLog),
      fmt::format("{} ({})", desc.name ? desc.name : "model", config.plotLog));
  writeFileAtomically(config.output,
                      std::vector<uint8_t>(svg.begin(), svg.end()));
  fmt::print("wrote '{}'\n", config.output);
  return 0;
}

int runPredict(const dlrt_model_desc &desc, const RunConfig &config) {
  return onTestSet(
      desc, config, "predict", [&](const Dataset &test, StepRunner &runner) {
        std::vector<int64_t> order = allIndices(test.size());
        const int64_t k = desc.num_outputs;
        bool classes = desc.label_kind == DLRT_LABEL_CLASS;
        // Logits of 0/1 targets are shown as probabilities.
        bool sigmoid = TargetKind::of(desc).logits;
        std::vector<float> shown(k);
        if (classes) {
          std::string header = "index,predicted,label";
          if (config.printLogits)
            for (int64_t j = 0; j < k; ++j)
              header += fmt::format(",logit_{}", j);
          fmt::print("{}\n", header);
        } else {
          // One column per output value, then one per target value.
          std::string header = "index";
          for (int64_t j = 0; j < k; ++j)
            header += fmt::format(sigmoid ? ",probability_{}" : ",predicted_{}",
                                  j);
          for (int64_t j = 0; j < k; ++j)
            header += fmt::format(",target_{}", j);
          fmt::print("{}\n", header);
        }
        for (int64_t b = 0, e = numBatches(test.size(), config.batch); b < e;
             ++b) {
          int64_t n = runner.load(test, order, b);
          runner.run(desc.eval_step, "eval_step", false, n, 0, 0);
          for (int64_t i = 0; i < n; ++i) {
            const float *out = runner.logitsData() + i * k;
            if (classes) {
              fmt::print("{},{},{}", b * config.batch + i, argmax(out, k),
                         runner.labels()[i]);
              if (config.printLogits)
                fmt::print(",{}", fmt::join(out, out + k, ","));
              fmt::print("\n");
              continue;
            }
            const float *target = runner.targets() + i * k;
            for (int64_t j = 0; j < k; ++j)
              shown[j] = sigmoid ? 1.0f / (1.0f + std::exp(-out[j])) : out[j];
            fmt::print("{},{},{}\n", b * config.batch + i,
                       fmt::join(shown, ","),
                       fmt::join(target, target + k, ","));
          }
        }
        return 0;
      });
}

} // namespace dlrt

namespace dlrt {

/// A heat-map colour of t in [0, 1]: black, red, yellow, white.
static void heat(double t, uint8_t rgb[3]) {
  for (int c = 0; c < 3; ++c)
    rgb[c] = uint8_t(std::lround(
        255.0 * std::clamp(3.0 * t - double(c), 0.0, 1.0)));
}

/// `saliency`: the gradient of the predicted class's score of test sample
/// `--index` with respect to the model's input (after `normalize`), or with
/// --smoothgrad N its mean over N copies with Gaussian noise (Smilkov et
/// al., 2017) of std `--noise` times the sample's value range. Writes
/// PREFIX.npy (the gradient, the sample's shape) and, for samples with two
/// or more axes, PREFIX.png: the sample (min-max scaled) beside the heat
/// map of |gradient| (maximum over the channels, scaled by its maximum),
/// each pixel drawn 8 x 8.
int runSaliency(const dlrt_model_desc &desc, const RunConfig &config) {
  std::string npyPath = config.output + ".npy",
              pngPath = config.output + ".png";
  bool image = desc.input_rank >= 2;
  checkSaveTarget(npyPath);
  if (image)
    checkSaveTarget(pngPath);
  return onTestSet(
      desc, config, "saliency", [&](const Dataset &test, StepRunner &runner) {
        if (config.index >= test.size())
          fail("--index {} is outside the test set's {} samples{}",
               config.index, test.size(),
               config.limit > 0 ? " (--limit)" : "");
        const int64_t d = inputSize(desc), k = desc.num_outputs;
        std::vector<int64_t> one = {config.index};
        runner.load(test, one, 0);
        runner.run(desc.eval_step, "eval_step", false, 1, 0, 0);
        int64_t predicted = argmax(runner.logitsData(), k);
        int64_t label = runner.labels()[0];
        std::vector<float> clean(runner.inputs(), runner.inputs() + d);
        auto [lo, hi] = std::minmax_element(clean.begin(), clean.end());
        double sigma = config.noiseLevel * double(*hi - *lo);
        int64_t copies = config.smoothgrad > 0 ? config.smoothgrad : 1;
        std::vector<float> out(size_t(config.batch) * d), grad(d, 0.0f);
        std::vector<double> sum(d, 0.0);
        runner.setInputGrad(out.data());
        Rng rng(deriveSeed(config.seed, "saliency", uint64_t(config.index)));
        for (int64_t done = 0; done < copies;) {
          int64_t m = std::min<int64_t>(config.batch, copies - done);
          for (int64_t i = 0; i < m; ++i) {
            for (int64_t j = 0; j < d; ++j)
              runner.inputs()[i * d + j] =
                  clean[j] + (config.smoothgrad > 0
                                  ? float(sigma * rng.normal())
                                  : 0.0f);
            runner.labelsToSet()[i] = predicted;
          }
          runner.run(desc.saliency_step, "saliency_step", false, m, 0, 0);
          for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < d; ++j)
              sum[j] += out[i * d + j];
          done += m;
        }
        runner.setInputGrad(nullptr);
        for (int64_t j = 0; j < d; ++j)
          grad[j] = float(sum[j] / double(copies));
        std::vector<int64_t> shape(desc.input_shape,
                                   desc.input_shape + desc.input_rank);
        writeFileAtomically(npyPath, encodeNpyF32(shape, grad));
        fmt::print("sample {}: label {}, predicted {}; gradient of the score "
                   "of class {}{} in '{}'\n",
                   config.index, label, predicted, predicted,
                   config.smoothgrad > 0
                       ? fmt::format(" (SmoothGrad, {} copies, noise {})",
                                     copies, config.noiseLevel)
                       : std::string(),
                   npyPath);
        if (!image)
          return 0;
        // [..., H, W]: the leading axes are channels.
        const int64_t h = shape[shape.size() - 2], w = shape.back();
        const int64_t channels = d / (h * w), scale = 8;
        std::vector<double> magnitude(size_t(h * w), 0.0), shown(h * w, 0.0);
        for (int64_t c = 0; c < channels; ++c)
          for (int64_t p = 0; p < h * w; ++p) {
            magnitude[p] =
                std::max(magnitude[p], double(std::fabs(grad[c * h * w + p])));
            shown[p] += clean[c * h * w + p] / double(channels);
          }
        double top = *std::max_element(magnitude.begin(), magnitude.end());
        auto [slo, shi] = std::minmax_element(shown.begin(), shown.end());
        double range = *shi - *slo;
        const int64_t gap = scale, width = 2 * w * scale + gap,
                      height = h * scale;
        std::vector<uint8_t> pixels(size_t(width * height * 3), 0);
        for (int64_t y = 0; y < height; ++y)
          for (int64_t x = 0; x < w * scale; ++x) {
            int64_t p = (y / scale) * w + x / scale;
            uint8_t gray = uint8_t(std::lround(
                255.0 * (range > 0 ? (shown[p] - *slo) / range : 0.0)));
            uint8_t *left = &pixels[size_t((y * width + x) * 3)];
            left[0] = left[1] = left[2] = gray;
            heat(top > 0 ? magnitude[p] / top : 0.0,
                 &pixels[size_t((y * width + w * scale + gap + x) * 3)]);
          }
        writeFileAtomically(pngPath, encodePng(width, height, 3, pixels));
        fmt::print("wrote '{}' (the sample and the heat map of |gradient|)\n",
                   pngPath);
        return 0;
      });
}

} // namespace dlrt
