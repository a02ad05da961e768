//===- Plot.cpp - Training curves and the confusion matrix as SVG ---------===//
//
// See Plot.h.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Plot.h"
#include "dlrt/Error.h"
#include "dlrt/InputFile.h"
#include "dlrt/SafeTensors.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

using nlohmann::json;

namespace dlrt {

std::vector<json> readLogRecords(const std::string &path) {
  InputFile file(path, "log ", true);
  std::vector<uint8_t> bytes;
  file.readAll(bytes, MaxInflatedBytes);
  std::vector<json> records;
  size_t start = 0;
  for (int64_t line = 1; start < bytes.size(); ++line) {
    size_t end = start;
    while (end < bytes.size() && bytes[end] != '\n')
      ++end;
    std::string text(bytes.begin() + start, bytes.begin() + end);
    start = end + 1;
    if (text.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    json record = json::parse(text, nullptr, false);
    if (record.is_discarded() || !record.is_object())
      fail("log '{}', line {}: not a JSON object (a trainer's --log writes "
           "one per line)",
           path, line);
    records.push_back(std::move(record));
  }
  return records;
}

void checkPlotTarget(const std::string &path) {
  checkSaveTarget(path);
  // An existing file is replaced only if it is a picture already (a
  // mistyped --plot must not destroy a checkpoint or a log).
  std::FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    return;
  char head[64] = {};
  size_t n = std::fread(head, 1, sizeof(head) - 1, f);
  std::fclose(f);
  std::string start(head, n);
  if (n > 0 && start.rfind("<?xml", 0) != 0 && start.rfind("<svg", 0) != 0)
    fail("'{}' exists and is not an SVG file; a plot does not replace it "
         "(give another file name)",
         path);
}

namespace {

/// Text for SVG character data and attribute values.
std::string escape(const std::string &text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

/// A number as SVG and data attributes hold it (shortest round trip).
std::string num(double v) { return fmt::format("{:.6g}", v); }

/// Tick positions covering [lo, hi]: multiples of 1, 2 or 5 times a power
/// of ten, about `want` of them.
std::vector<double> ticks(double lo, double hi, int want) {
  double raw = (hi - lo) / std::max(want, 1);
  double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * power >= raw) {
      step = m * power;
      break;
    }
  std::vector<double> out;
  for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9;
       t += step)
    out.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  return out;
}

/// Colours of the folds (one, unless cross-validation), from a palette that
/// stays distinct for colour-blind readers (Okabe and Ito).
const char *colour(size_t i) {
  static const char *palette[] = {"#0072b2", "#d55e00", "#009e73", "#cc79a7",
                                  "#e69f00", "#56b4e9", "#000000", "#f0e442"};
  return palette[i % (sizeof(palette) / sizeof(palette[0]))];
}

struct Series {
  std::string key; // as logged: "loss", "val_accuracy", ...
  int fold = 0;    // 0: not a cross-validation run
  bool validation = false;
  std::vector<double> epochs, values;
};

/// A fold's colour; without folds, training and validation differ in
/// colour as well as in dashing.
const char *colourOf(int fold, bool validation) {
  return fold > 0 ? colour(size_t(fold - 1)) : colour(validation ? 1 : 0);
}

struct Marker {
  std::string key;
  int fold = 0;
  double epoch = 0, value = 0;
};

struct Panel {
  std::string quantity; // "loss", "accuracy", "lr", ...
  std::vector<Series> series;
  std::vector<Marker> tests;
};

/// Keys of an epoch record that are not curves.
bool isBookkeeping(const std::string &key) {
  static const std::set<std::string> skip = {
      "event", "epoch", "step", "fold", "samples_per_s", "seconds", "tta"};
  return skip.count(key) > 0;
}

std::string quantityOf(const std::string &key, bool &validation) {
  validation = key.rfind("val_", 0) == 0;
  return validation ? key.substr(4) : key;
}

std::string panelTitle(const std::string &quantity) {
  return quantity == "lr" ? "learning rate" : quantity;
}

void drawPanel(std::string &svg, const Panel &panel, double x0, double y0,
               double width, double height, double maxEpoch) {
  const double left = 64, right = 16, top = 28, bottom = 40;
  const double pw = width - left - right, ph = height - top - bottom;
  double lo = HUGE_VAL, hi = -HUGE_VAL;
  for (const Series &s : panel.series)
    for (double v : s.values)
      if (std::isfinite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
  for (const Marker &m : panel.tests) {
    lo = std::min(lo, m.value);
    hi = std::max(hi, m.value);
  }
  if (!(lo <= hi)) {
    lo = 0;
    hi = 1;
  }
  if (hi - lo < 1e-12 * std::max(1.0, std::abs(hi))) {
    double pad = std::max(std::abs(hi) * 0.1, 1e-3);
    lo -= pad;
    hi += pad;
  } else {
    double pad = (hi - lo) * 0.05;
    lo -= pad;
    hi += pad;
  }
  double xlo = 1, xhi = std::max(maxEpoch, 2.0);
  auto X = [&](double e) { return x0 + left + (e - xlo) / (xhi - xlo) * pw; };
  auto Y = [&](double v) { return y0 + top + (hi - v) / (hi - lo) * ph; };

  svg += fmt::format("<g class=\"panel\" data-quantity=\"{}\">\n",
                     escape(panel.quantity));
  svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"14\" "
                     "font-weight=\"bold\">{}</text>\n",
                     num(x0 + left), num(y0 + 18),
                     escape(panelTitle(panel.quantity)));
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
                     "fill=\"none\" stroke=\"#888\"/>\n",
                     num(x0 + left), num(y0 + top), num(pw), num(ph));
  for (double t : ticks(lo, hi, 5)) {
    if (t < lo || t > hi)
      continue;
    svg += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" "
                       "stroke=\"#ddd\"/>\n<text x=\"{3}\" y=\"{4}\" "
                       "font-size=\"11\" text-anchor=\"end\">{5}</text>\n",
                       num(x0 + left), num(x0 + left + pw), num(Y(t)),
                       num(x0 + left - 4), num(Y(t) + 4), num(t));
  }
  for (double t : ticks(xlo, xhi, 8)) {
    if (t < xlo || t > xhi || t != std::floor(t))
      continue;
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" "
                       "text-anchor=\"middle\">{}</text>\n",
                       num(X(t)), num(y0 + top + ph + 14), num(t));
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" "
                     "text-anchor=\"middle\">epoch</text>\n",
                     num(x0 + left + pw / 2), num(y0 + top + ph + 30));

  for (const Series &s : panel.series) {
    const char *stroke = colourOf(s.fold, s.validation);
    std::string points, epochs, values;
    for (size_t i = 0; i < s.values.size(); ++i) {
      epochs += (i ? " " : "") + num(s.epochs[i]);
      values += (i ? " " : "") +
                (std::isfinite(s.values[i]) ? num(s.values[i]) : "nan");
      if (std::isfinite(s.values[i]))
        points += fmt::format("{}{},{}", points.empty() ? "" : " ",
                              num(X(s.epochs[i])), num(Y(s.values[i])));
    }
    svg += fmt::format(
        "<polyline class=\"series\" data-series=\"{}\" data-fold=\"{}\" "
        "data-epochs=\"{}\" data-values=\"{}\" points=\"{}\" fill=\"none\" "
        "stroke=\"{}\" stroke-width=\"2\"{}/>\n",
        escape(s.key), s.fold, epochs, values, points, stroke,
        s.validation ? " stroke-dasharray=\"6 4\"" : "");
    // A run of one epoch has no line to see: dots at every point.
    if (s.values.size() == 1 && std::isfinite(s.values[0]))
      svg += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\"/>\n",
                         num(X(s.epochs[0])), num(Y(s.values[0])), stroke);
  }
  for (const Marker &m : panel.tests)
    svg += fmt::format(
        "<path class=\"test\" data-series=\"test_{}\" data-fold=\"{}\" "
        "data-values=\"{}\" d=\"M{} {}l5 -5l5 5l-5 5z\" fill=\"{}\"/>\n",
        escape(m.key), m.fold, num(m.value), num(X(m.epoch) - 5),
        num(Y(m.value)), m.fold > 0 ? colour(size_t(m.fold - 1)) : "#000000");

  // Legend: in the panel's title line, right of the title; none for a
  // lone training series (the learning rate).
  bool lone = panel.series.size() == 1 && !panel.series[0].validation &&
              panel.tests.empty();
  double lx = x0 + left + 120;
  std::vector<std::string> seen;
  for (const Series &s : panel.series) {
    if (lone)
      break;
    std::string label =
        (s.validation ? "validation" : "training") +
        (s.fold > 0 ? fmt::format(" {}", s.fold) : std::string());
    if (std::find(seen.begin(), seen.end(), label) != seen.end())
      continue;
    seen.push_back(label);
    svg += fmt::format(
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"{3}\" "
        "stroke-width=\"2\"{4}/><text x=\"{5}\" y=\"{6}\" "
        "font-size=\"11\">{7}</text>\n",
        num(lx), num(lx + 18), num(y0 + 14), colourOf(s.fold, s.validation),
        s.validation ? " stroke-dasharray=\"6 4\"" : "", num(lx + 22),
        num(y0 + 18), escape(label));
    lx += 30 + 6.5 * double(label.size());
  }
  if (!panel.tests.empty())
    svg += fmt::format("<path d=\"M{} {}l5 -5l5 5l-5 5z\" fill=\"#000000\"/>"
                       "<text x=\"{}\" y=\"{}\" font-size=\"11\">test</text>\n",
                       num(lx + 4), num(y0 + 14), num(lx + 18), num(y0 + 18));
  svg += "</g>\n";
}

} // namespace

std::string curvesSvg(const std::vector<json> &records,
                      const std::string &title) {
  // Panels in order of first appearance; series by (key, fold).
  std::vector<Panel> panels;
  std::map<std::string, size_t> panelIndex;
  std::map<std::pair<std::string, int>, std::pair<size_t, size_t>> where;
  double maxEpoch = 0;
  std::map<int, double> lastEpoch; // per fold
  bool anyEpoch = false;
  auto panelFor = [&](const std::string &quantity) -> Panel & {
    auto it = panelIndex.find(quantity);
    if (it == panelIndex.end()) {
      it = panelIndex.emplace(quantity, panels.size()).first;
      panels.push_back(Panel{quantity, {}, {}});
    }
    return panels[it->second];
  };
  for (const json &r : records) {
    std::string event = r.value("event", "");
    int fold = r.contains("fold") && r["fold"].is_number_integer()
                   ? r["fold"].get<int>()
                   : 0;
    if (event == "epoch" && r.contains("epoch") && r["epoch"].is_number()) {
      anyEpoch = true;
      double epoch = r["epoch"].get<double>();
      maxEpoch = std::max(maxEpoch, epoch);
      lastEpoch[fold] = epoch;
      for (auto it = r.begin(); it != r.end(); ++it) {
        // A non-finite value is logged as null: a gap in the line.
        if (isBookkeeping(it.key()) ||
            !(it.value().is_number() || it.value().is_null()))
          continue;
        bool validation = false;
        std::string quantity = quantityOf(it.key(), validation);
        Panel &panel = panelFor(quantity);
        auto key = std::make_pair(it.key(), fold);
        auto found = where.find(key);
        if (found == where.end()) {
          size_t p = panelIndex[quantity];
          panel.series.push_back(Series{it.key(), fold, validation, {}, {}});
          found = where.emplace(key, std::make_pair(p, panel.series.size() - 1))
                      .first;
        }
        Series &s = panels[found->second.first].series[found->second.second];
        s.epochs.push_back(epoch);
        s.values.push_back(it.value().is_number() ? it.value().get<double>()
                                                  : NAN);
      }
    } else if (event == "test") {
      for (auto it = r.begin(); it != r.end(); ++it) {
        if (isBookkeeping(it.key()) || !it.value().is_number())
          continue;
        auto found = panelIndex.find(it.key());
        if (found == panelIndex.end())
          continue; // a quantity with no curve (eval's own log)
        double v = it.value().get<double>();
        if (std::isfinite(v))
          panels[found->second].tests.push_back(
              Marker{it.key(), fold,
                     lastEpoch.count(fold) ? lastEpoch[fold] : maxEpoch, v});
      }
    }
  }
  if (!anyEpoch)
    fail("nothing to plot: the log has no epoch records (a trainer's --log "
         "writes one per epoch)");
  // Train and validation series of a panel: training first, folds in order.
  for (Panel &p : panels)
    std::stable_sort(p.series.begin(), p.series.end(),
                     [](const Series &a, const Series &b) {
                       return std::make_pair(a.fold, a.validation) <
                              std::make_pair(b.fold, b.validation);
                     });

  const double pw = 460, ph = 280, header = 36;
  const size_t columns = panels.size() > 1 ? 2 : 1;
  const size_t rows = (panels.size() + columns - 1) / columns;
  double width = columns * pw, height = header + rows * ph;
  std::string svg = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" "
      "height=\"{1}\" viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"12\" y=\"24\" font-size=\"16\">{2}</text>\n",
      num(width), num(height), escape(title));
  for (size_t i = 0; i < panels.size(); ++i)
    drawPanel(svg, panels[i], double(i % columns) * pw,
              header + double(i / columns) * ph, pw, ph, maxEpoch);
  svg += "</svg>\n";
  return svg;
}

std::string confusionSvg(const ConfusionMatrix &confusion,
                         const std::string &title) {
  const int64_t n = confusion.numClasses();
  if (n <= 0)
    fail("no confusion matrix to draw: the model's targets are not classes");
  const double cell = n <= 20 ? 36 : std::max(8.0, 720.0 / double(n));
  const double left = 80, top = 70, labelSize = std::min(12.0, cell * 0.4);
  const double size = cell * double(n);
  double width = std::max(left + size + 20, 600.0), height = top + size + 50;
  std::string svg = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" "
      "height=\"{1}\" viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"12\" y=\"22\" font-size=\"16\">{2}</text>\n"
      "<text x=\"{3}\" y=\"{4}\" font-size=\"12\" text-anchor=\"middle\">"
      "predicted class</text>\n"
      "<text x=\"16\" y=\"{5}\" font-size=\"12\" text-anchor=\"middle\" "
      "transform=\"rotate(-90 16 {5})\">actual class</text>\n",
      num(width), num(height), escape(title), num(left + size / 2),
      num(top - 24), num(top + size / 2));
  for (int64_t a = 0; a < n; ++a) {
    int64_t row = 0;
    for (int64_t p = 0; p < n; ++p)
      row += confusion.count(a, p);
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"{}\" "
                       "text-anchor=\"end\">{}</text>\n"
                       "<text x=\"{}\" y=\"{}\" font-size=\"{}\" "
                       "text-anchor=\"middle\">{}</text>\n",
                       num(left - 6), num(top + (a + 0.5) * cell + 4),
                       num(labelSize), a, num(left + (a + 0.5) * cell),
                       num(top - 6), num(labelSize), a);
    for (int64_t p = 0; p < n; ++p) {
      int64_t c = confusion.count(a, p);
      double share = row > 0 ? double(c) / double(row) : 0.0;
      // White to dark blue by the share of the row.
      int r = int(std::lround(255 - share * (255 - 8)));
      int g = int(std::lround(255 - share * (255 - 48)));
      int b = int(std::lround(255 - share * (255 - 107)));
      svg += fmt::format(
          "<rect class=\"cell\" data-actual=\"{}\" data-predicted=\"{}\" "
          "data-count=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
          "fill=\"#{:02x}{:02x}{:02x}\" stroke=\"#eee\"/>\n",
          a, p, c, num(left + p * cell), num(top + a * cell), num(cell),
          num(cell), r, g, b);
      if (n <= 20)
        svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"{}\" "
                           "text-anchor=\"middle\" fill=\"{}\">{}</text>\n",
                           num(left + (p + 0.5) * cell),
                           num(top + (a + 0.5) * cell + 4), num(labelSize),
                           share > 0.5 ? "white" : "black", c);
    }
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\">{} samples, "
                     "accuracy {:.4f}; shade: share of the actual class's "
                     "samples</text>\n",
                     num(left), num(top + size + 30), confusion.total(),
                     confusion.accuracy());
  svg += "</svg>\n";
  return svg;
}

} // namespace dlrt
