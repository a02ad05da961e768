//===- Snapshots.h - Snapshot ensembles -------------------------*- C++ -*-===//
//
// `snapshots = n` (Huang et al. 2017, "Snapshot Ensembles: Train 1, get M
// for free"): the run is n cosine cycles of epochs / n epochs (warm
// restarts from the optimizer's lr down to 0, updated every batch), and the
// weights at the end of cycle i are saved as `<stem>.snapshot<i>.safetensors`
// beside `--save <stem>.safetensors`, an ordinary checkpoint each. The
// checkpoint of the run itself (saved every epoch, resumable) lists the
// snapshots written so far in its metadata "snapshots" (file names, in the
// directory of the checkpoint); after the last cycle it holds the weights of
// the last snapshot. `./train eval --weights <stem>.safetensors` evaluates
// every listed snapshot and their ensemble: the mean of their softmax
// probabilities (class labels), sigmoid probabilities (bce_with_logits) or
// values (other float targets).
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_SNAPSHOTS_H
#define DLRT_SNAPSHOTS_H

#include "dlrt/Trainer.h"
#include "dlrt/dlrt.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dlrt {

/// The schedule of a snapshot run of `epochs` epochs: warm restarts with
/// t0 = epochs / snapshots, t_mult 1, min_lr 0. Errors when `epochs` is not
/// a multiple of `snapshots`.
dlrt_schedule_desc snapshotSchedule(int32_t snapshots, int32_t epochs);

/// `<stem>.snapshot<i>.safetensors` for `save` = `<stem>.safetensors`
/// (`<save>.snapshot<i>` otherwise); `i` is 1-based.
std::string snapshotPath(const std::string &save, int64_t i);

/// The metadata value "snapshots" of a run's checkpoint after
/// `epochsDone` epochs: the JSON list of the file names of the snapshots
/// written by then.
std::string snapshotList(const std::string &save, int32_t snapshots,
                         int32_t epochs, int64_t epochsDone);

/// `eval --weights W` for a checkpoint whose metadata lists snapshots: the
/// metrics of each snapshot and of their ensemble on the test set. Returns
/// false (and does nothing) when W lists none.
bool evalSnapshotEnsemble(const dlrt_model_desc &desc, const RunConfig &config,
                          int *exitCode);

} // namespace dlrt

#endif // DLRT_SNAPSHOTS_H
