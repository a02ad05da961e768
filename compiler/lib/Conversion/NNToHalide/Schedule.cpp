//===- Schedule.cpp - Hand-written schedules of nn-to-halide groups -------===//
//
// The schedule module: given a group's Funcs and their kinds (what the
// algorithms say they compute), decides where each is computed and how its
// loops run. The algorithms never schedule; this file never defines values.
//
// Rules, per kind:
//  - Input wrappers and elementwise Funcs that do not leave the group are
//    inlined into their consumers (Halide's default): a chain of pointwise
//    ops becomes one loop body, no intermediate tensor is stored. Two
//    exceptions are stored (computed at root) instead: an elementwise Func
//    read by a matmul, convolution or window op (which reads each element
//    K times: recomputing the chain per read costs more than one store and
//    K contiguous loads; a transpose feeding a matmul becomes a dense copy
//    instead of strided gathers in the vector loop), and one whose values
//    reach two or more stored Funcs (each would recompute the chain).
//  - Everything else is computed at root (it is reused by its consumers, or
//    a reduction whose recomputation per consumer point would multiply the
//    work by the reduction size).
//  - Vectorise over the innermost (Halide dimension 0, the row-major last)
//    dimension by 8 lanes: one AVX2 register of f32. Tails are guarded
//    (GuardWithIf) since dimensions are often small or dynamic (a batch of
//    3, 10 classes), which ShiftInwards or RoundUp would overrun.
//  - Parallelise over the outermost dimension (the batch for activations,
//    the output channel for weights) when the Func has at least 2 dims.
//  - Reductions put the vectorised pure dimension inside the reduction loops
//    so that each step is one vector multiply-add over contiguous memory.
//  - Matmul and conv2d (and its input gradient) are an accumulator Func
//    plus a read-out Func (the op's result). The read-out is tiled, 16x4
//    (two vectors of columns, four rows) for a matmul, 8x4 (one vector of
//    output columns, four output rows) for a convolution, and the tile's
//    accumulator is computed inside it with the reduction loops outside the
//    tile's 4-8 vectors, in a fixed-size (bound_storage) buffer that LLVM
//    keeps in registers: each reduction step is 4-8 FMAs with no load or
//    store of partial sums (an AVX2 core has 16 vector registers: 8
//    accumulators, the broadcast operand and the loaded vectors fit).
//    Matmuls run row tiles in parallel, convolutions output channels.
//    Measured on the shared 2-core build machine, single thread, batch 64:
//    conv2d 32->64 channels 14x14 3x3 went from 99 ms (one accumulator in
//    the output, clamped gathers for the padding) to 54 ms (padding stored
//    once) to 40 ms (register tiles), about 12 GFLOP/s; the 64x3136x128
//    matmul runs in 2-3 ms (~20 GFLOP/s). Noisy; bench/ owns the numbers.
//  - A contraction without a read-out (the weight gradient, which reduces
//    over (n, oy, ox) into a small tensor) is computed at root, parallel
//    over output channels with the reduction innermost (a matmul or conv
//    accumulator without a read-out would be tiled 8x4 in place).
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include <map>
#include <set>

using namespace dlc::nn;
using namespace dlc::nn::hl;

namespace {

using Halide::RVar;
using Halide::Stage;
using Halide::TailStrategy;
using Halide::Var;
using Halide::VarOrRVar;

/// f32 lanes of one AVX2 register.
constexpr int kVectorLanes = 8;
/// Rows per matmul/conv register tile.
constexpr int kTileRows = 4;

/// Whether update `u` of `f` has the pure variable `v` as an argument.
bool updateHasPureVar(const Halide::Func &f, int u, const Var &v) {
  for (const Halide::Expr &e : f.update_args(u))
    if (const auto *var = e.as<Halide::Internal::Variable>())
      if (var->name == v.name())
        return true;
  return false;
}

/// Vectorises the innermost and parallelises the outermost pure dimension
/// of the pure definition.
void schedulePure(Halide::Func f) {
  std::vector<Var> args = f.args();
  if (args.empty())
    return;
  f.vectorize(args.front(), kVectorLanes, TailStrategy::GuardWithIf);
  if (args.size() >= 2)
    f.parallel(args.back());
}

/// Update definitions of a reduction: the innermost pure dimension inside
/// the reduction loops, vectorised; the outermost pure dimension parallel.
void scheduleReductionUpdates(Halide::Func f) {
  std::vector<Var> args = f.args();
  for (int u = 0; u < f.num_update_definitions(); ++u) {
    Stage s = f.update(u);
    std::vector<RVar> rvars = f.rvars(u);
    if (!args.empty() && updateHasPureVar(f, u, args.front())) {
      std::vector<VarOrRVar> order = {args.front()};
      for (const RVar &r : rvars)
        order.push_back(r);
      if (order.size() > 1)
        s.reorder(order);
      s.vectorize(args.front(), kVectorLanes, TailStrategy::GuardWithIf);
    }
    if (args.size() >= 2 && updateHasPureVar(f, u, args.back()))
      s.parallel(args.back());
  }
}

void scheduleMatmul(Halide::Func f) {
  f.compute_root();
  schedulePure(f);
  std::vector<Var> args = f.args(); // (j, i, batch...)
  Var j = args[0], i = args[1], jo("jo"), ji("ji"), io("io"), ii("ii");
  std::vector<RVar> rvars = f.rvars(0);
  Stage s = f.update(0);
  s.tile(j, i, jo, io, ji, ii, kVectorLanes, kTileRows,
         TailStrategy::GuardWithIf)
      .reorder({ji, ii, rvars[0], jo, io})
      .vectorize(ji)
      .unroll(ii)
      .parallel(io);
}

void scheduleConv(Halide::Func f, const std::string &opName) {
  f.compute_root();
  schedulePure(f);
  std::vector<Var> args = f.args(); // (x, y, c, n) in Halide order
  Stage s = f.update(0);
  if (opName == "nn.conv2d_grad_weight") {
    s.parallel(args.back());
    return;
  }
  std::vector<RVar> rvars = f.rvars(0);
  Var x = args[0], y = args[1], c = args[2], xo("xo"), xi("xi"), yo("yo"),
      yi("yi");
  std::vector<VarOrRVar> order = {xi, yi};
  for (const RVar &r : rvars)
    order.push_back(r);
  order.push_back(xo);
  order.push_back(yo);
  s.tile(x, y, xo, yo, xi, yi, kVectorLanes, kTileRows,
         TailStrategy::GuardWithIf)
      .reorder(order)
      .vectorize(xi)
      .unroll(yi)
      .parallel(c);
}

/// Decides which elementwise Funcs are stored rather than inlined (see the
/// file comment), visiting consumers before producers.
std::set<std::string> storedElementwise(const HalideGroup &group,
                                        const std::set<std::string> &outputs) {
  std::map<std::string, const FuncInfo *> byName;
  std::map<std::string, std::vector<std::string>> consumers;
  for (const FuncInfo &info : group.funcs) {
    byName[info.func.name()] = &info;
    for (const auto &[callee, function] :
         Halide::Internal::find_direct_calls(info.func.function()))
      if (callee != info.func.name())
        consumers[callee].push_back(info.func.name());
  }
  std::set<std::string> stored = outputs;
  for (const FuncInfo &info : group.funcs)
    if (info.kind != FuncKind::Elementwise && info.kind != FuncKind::Input)
      stored.insert(info.func.name());
  // The stored Funcs each inlined Func's values reach.
  std::map<std::string, std::set<std::string>> reaches;
  std::set<std::string> result;
  for (auto it = group.funcs.rbegin(); it != group.funcs.rend(); ++it) {
    const std::string &name = it->func.name();
    if (stored.count(name) || it->kind != FuncKind::Elementwise)
      continue;
    std::set<std::string> targets;
    bool feedsContraction = false;
    for (const std::string &c : consumers[name]) {
      if (stored.count(c)) {
        targets.insert(c);
        auto info = byName.find(c);
        feedsContraction |=
            info != byName.end() && (info->second->kind == FuncKind::Matmul ||
                                     info->second->kind == FuncKind::Conv ||
                                     info->second->kind == FuncKind::Window);
      } else {
        targets.insert(reaches[c].begin(), reaches[c].end());
      }
    }
    if (feedsContraction || targets.size() >= 2) {
      stored.insert(name);
      result.insert(name);
    } else {
      reaches[name] = std::move(targets);
    }
  }
  return result;
}

/// A contraction read out tile by tile: `out` is tiled (8x4 for a
/// convolution's (x, y), 16x4 for a matmul's (j, i)), and the accumulator
/// `acc` of one tile is computed inside it with the reduction outermost, so
/// its 4-8 vectors stay in registers across the whole reduction instead of
/// being loaded and stored at every step.
void scheduleReadout(Halide::Func out, Halide::Func acc, FuncKind accKind) {
  std::vector<Var> args = out.args(), accArgs = acc.args();
  std::vector<RVar> rvars = acc.rvars(0);
  Var xo("xo"), yo("yo"), xi("xi"), yi("yi");
  int width = accKind == FuncKind::Matmul ? 2 * kVectorLanes : kVectorLanes;
  out.compute_root()
      .tile(args[0], args[1], xo, yo, xi, yi, width, kTileRows,
            TailStrategy::GuardWithIf)
      .vectorize(xi, kVectorLanes, TailStrategy::GuardWithIf);
  // Parallel over the output channels of a convolution, over row tiles of
  // a matmul.
  if (accKind == FuncKind::Conv)
    out.parallel(args[2]);
  else
    out.parallel(yo);
  acc.compute_at(out, xo).vectorize(accArgs[0], kVectorLanes,
                                    TailStrategy::GuardWithIf);
  // A fixed-size tile buffer (even for the partial tiles at the edges): it
  // goes on the stack with constant strides, so LLVM keeps it in registers.
  acc.bound_storage(accArgs[0], width).bound_storage(accArgs[1], kTileRows);
  for (size_t d = 2; d < accArgs.size(); ++d)
    acc.bound_storage(accArgs[d], 1);
  std::vector<VarOrRVar> order = {accArgs[0], accArgs[1]};
  for (const RVar &r : rvars)
    order.push_back(r);
  acc.update(0)
      .reorder(order)
      .vectorize(accArgs[0], kVectorLanes, TailStrategy::GuardWithIf)
      .unroll(accArgs[1]);
}

} // namespace

void hl::scheduleGroup(HalideGroup &group) {
  std::set<std::string> outputs;
  for (const Halide::Func &f : group.outputFuncs)
    outputs.insert(f.name());
  std::set<std::string> stored = storedElementwise(group, outputs);
  // The accumulator each read-out copies.
  std::map<std::string, const FuncInfo *> byName;
  for (const FuncInfo &info : group.funcs)
    byName[info.func.name()] = &info;
  std::map<std::string, const FuncInfo *> accumulatorOf;
  std::set<std::string> readOutAccumulators;
  for (const FuncInfo &info : group.funcs) {
    if (info.kind != FuncKind::Readout)
      continue;
    for (const auto &[callee, function] :
         Halide::Internal::find_direct_calls(info.func.function())) {
      accumulatorOf[info.func.name()] = byName[callee];
      readOutAccumulators.insert(callee);
    }
  }
  for (FuncInfo &info : group.funcs) {
    Halide::Func f = info.func;
    bool isOutput = outputs.count(f.name());
    switch (info.kind) {
    case FuncKind::Input:
      break;
    case FuncKind::Elementwise:
      // Inlined unless it leaves the group (outputs are always stored) or
      // inlining would recompute it (see storedElementwise).
      if (isOutput || stored.count(f.name())) {
        f.compute_root();
        schedulePure(f);
      }
      break;
    case FuncKind::Reduction:
    case FuncKind::Window:
      f.compute_root();
      schedulePure(f);
      scheduleReductionUpdates(f);
      break;
    case FuncKind::Matmul:
      if (!readOutAccumulators.count(f.name()))
        scheduleMatmul(f);
      break;
    case FuncKind::Conv:
      if (!readOutAccumulators.count(f.name()))
        scheduleConv(f, info.opName);
      break;
    case FuncKind::Readout: {
      const FuncInfo *acc = accumulatorOf[f.name()];
      scheduleReadout(f, acc->func, acc->kind);
      break;
    }
    }
  }
}
