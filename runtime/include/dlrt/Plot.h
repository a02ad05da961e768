//===- Plot.h - Training curves and the confusion matrix as SVG -*- C++ -*-===//
//
// `./train --plot FILE.svg` and `./train plot LOG.jsonl -o FILE.svg` draw the
// epoch records of a JSON Lines log (Log.h) as training curves: one panel per
// logged quantity (the loss, each metric, the learning rate), the training
// value and the validation value (`val_*`) as two lines, one colour per fold
// of a cross-validation run, and the test result as a marker after the last
// epoch. `./train eval --plot FILE.svg` draws the confusion matrix.
//
// The SVG is written directly, as text: a plotting library that fits in a
// standalone trainer would be a large C library (PLplot, cairo) with fonts
// and a run-time dependency for what is a few hundred lines of markup, and
// SVG is a vector format every browser and editor shows. Every drawn series
// carries its name and values in attributes (class "series", data-series,
// data-fold, data-epochs, data-values), so a program can check a plot without
// reading pixels.
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_PLOT_H
#define DLRT_PLOT_H

#include "dlrt/Metrics.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace dlrt {

/// The records of a JSON Lines log, in file order. A line that is not a
/// JSON object is an error naming the file and line; blank lines are
/// skipped.
std::vector<nlohmann::json> readLogRecords(const std::string &path);

/// Throws unless a plot can be written to `path`: checkSaveTarget, and an
/// existing file must be an SVG file (a plot replaces only a plot).
void checkPlotTarget(const std::string &path);

/// The training curves of the "epoch" and "test" records of a log, titled
/// `title`. An error when there is no epoch record.
std::string curvesSvg(const std::vector<nlohmann::json> &records,
                      const std::string &title);

/// The confusion matrix as a grid of cells (rows: actual class, columns:
/// predicted), each shaded by its share of the row (the class's recall on
/// the diagonal) and labelled with its count.
std::string confusionSvg(const ConfusionMatrix &confusion,
                         const std::string &title);

} // namespace dlrt

#endif // DLRT_PLOT_H
