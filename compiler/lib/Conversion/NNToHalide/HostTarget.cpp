//===- HostTarget.cpp - The Halide target of the CPU dlc runs on ----------===//
//
// Halide 14's own host detection maps a CPU with AVX512-VNNI and AVX512-BF16
// (AMD Zen 4) to `avx512_sapphirerapids`, which makes LLVM assume every
// Sapphire Rapids extension, AVX-VNNI among them, so kernels die with
// SIGILL on Zen 4. Here the target is built from the CPU's feature bits
// and the state the operating system enables (dlrt/CpuFeatures.h, the
// probe the trainer uses too), and a Halide
// feature is set only when the CPU has everything the LLVM CPU model that
// Halide picks for it implies. The same table says which CPU features a
// target's kernels need, so that the trainer can check them at start-up.
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/NNToHalide/NNToHalide.h"

#include "dlrt/CpuFeatures.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <set>

using namespace dlc::nn;

namespace {

/// A Halide x86 feature and the CPU features that LLVM may use for it: the
/// extensions of the LLVM CPU model Halide 14 selects for the feature
/// (penryn, corei7-avx, haswell, skylake-avx512, cannonlake,
/// sapphirerapids) that a compiler emits on its own. Levels are ordered:
/// each includes every level before it. FMA and F16C stand alone.
struct FeatureRow {
  Halide::Target::Feature feature;
  bool level;
  std::vector<const char *> needs;
};

const std::vector<FeatureRow> &featureRows() {
  static const std::vector<FeatureRow> rows = {
      {Halide::Target::SSE41, true, {"sse2", "sse4.1"}},
      {Halide::Target::AVX, true, {"sse4.2", "popcnt", "avx"}},
      {Halide::Target::AVX2,
       true,
       {"avx2", "fma", "f16c", "bmi", "bmi2", "lzcnt", "movbe"}},
      {Halide::Target::AVX512, true, {"avx512f", "avx512cd"}},
      {Halide::Target::AVX512_Skylake,
       true,
       {"avx512bw", "avx512dq", "avx512vl"}},
      {Halide::Target::AVX512_Cannonlake, true, {"avx512ifma", "avx512vbmi"}},
      {Halide::Target::AVX512_SapphireRapids,
       true,
       {"avx512vnni", "avx512bf16", "avx512fp16", "avxvnni"}},
      {Halide::Target::FMA, false, {"fma"}},
      {Halide::Target::F16C, false, {"f16c"}},
  };
  return rows;
}

} // namespace

std::vector<std::string> dlc::nn::cpuFeaturesOf(const Halide::Target &target) {
  if (target.arch != Halide::Target::X86)
    return {};
  const auto &rows = featureRows();
  size_t highest = 0;
  for (size_t i = 0; i < rows.size(); ++i)
    if (rows[i].level && target.has_feature(rows[i].feature))
      highest = i + 1;
  std::set<std::string> needs;
  for (size_t i = 0; i < rows.size(); ++i)
    if (i < highest || target.has_feature(rows[i].feature))
      needs.insert(rows[i].needs.begin(), rows[i].needs.end());
  return std::vector<std::string>(needs.begin(), needs.end());
}

Halide::Target dlc::nn::hostTarget() {
  Halide::Target host = Halide::get_host_target();
  if (host.arch != Halide::Target::X86)
    return host;
  std::set<std::string> has = dlrt::hostCpuFeatures();
  Halide::Target t(host.os, host.arch, host.bits);
  // Levels in order, each only on top of the one before; then FMA, F16C.
  bool previous = true;
  for (const FeatureRow &row : featureRows()) {
    bool ok = llvm::all_of(row.needs,
                           [&](const char *f) { return has.count(f) != 0; });
    if (row.level) {
      ok = ok && previous;
      previous = ok;
    }
    if (ok)
      t.set_feature(row.feature);
  }
  return t;
}

mlir::FailureOr<Halide::Target>
dlc::nn::parseHalideTarget(const std::string &target, std::string *error) {
  if (target.empty() || target == "host")
    return hostTarget();
  // `host-<features>`: this CPU's target plus the given features.
  std::string spelled = target;
  if (llvm::StringRef(target).starts_with("host-"))
    spelled = hostTarget().to_string() + target.substr(4);
  if (!Halide::Target::validate_target_string(spelled)) {
    if (error)
      *error = "invalid Halide target '" + target + "'";
    return mlir::failure();
  }
  return Halide::Target(spelled);
}
