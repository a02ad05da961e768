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
//    plus a read-out Func (the op's result). The read-out is tiled and the
//    tile's accumulator is computed inside it with the reduction loops
//    outside the tile's vectors, in a fixed-size (bound_storage) buffer
//    that LLVM keeps in registers: each reduction step is a handful of FMAs
//    with no load or store of partial sums. A matmul tile is 16x4 (two
//    8-lane vectors of columns, four rows), parallel over row tiles.
//  - A convolution tile (convTile) is sized for AVX-512 (32 registers of
//    16 f32): whole image rows of one or two 16-lane vectors (W = 14 or 28:
//    the lanes beyond W are computed from the zero padding and not
//    stored), rows dividing H (7 of 14), and as many output channels as 28
//    accumulators allow (4), parallel over (channel tile, image). Measured
//    on the shared 2-core AVX-512 machine, 2 threads, batch 128, conv2d
//    32->64 channels 14x14 3x3: 26 ms with 8x4 tiles of one channel, 3-6
//    ms with 16x7x4 tiles (~80-150 GFLOP/s); its input gradient the same.
//  - The weight gradient (a reduction over (n, oy, ox) into a small
//    tensor) is rfactored over 16-lane slices of the image columns into a
//    register tile of (3 taps) x (8 output channels) x 16 lanes per (input
//    channel, ky), parallel over output channel tiles: 22.5 -> 7 ms for the
//    32->64 layer (4.5 ms where the algorithm sums over rows of exactly 16
//    columns, so that no lane is masked), 13 -> 0.5 ms for the 1->32 layer
//    (whose old schedule ran one scalar reduction per weight).
//  - All kernel buffers are dense row-major from 0 (NNToHalide.cpp
//    declares it), so strides are compile-time constants. Noisy numbers
//    (shared machine); bench/ owns the numbers.
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

/// f32 lanes of one AVX-512 register: the host target (2-core AMD EPYC
/// with AVX-512) on which the convolution tiles below were tuned.
constexpr int kWideLanes = 16;
/// Accumulator vectors of one convolution register tile: of AVX-512's 32
/// vector registers, the rest hold the loaded input rows and the broadcast
/// weights of one reduction step.
constexpr int kConvAccumulators = 28;

/// A convolution register tile: `vectors` 16-lane vectors of output columns
/// times `rows` output rows times `channels` output channels.
struct ConvTile {
  int vectors = 1, rows = kTileRows, channels = 1;
};

/// The largest divisor of `n` in [lo, hi], or 0.
int64_t divisorIn(int64_t n, int64_t lo, int64_t hi) {
  for (int64_t d = hi; d >= lo; --d)
    if (d > 0 && n % d == 0)
      return d;
  return 0;
}

/// The tile of a convolution result of row-major static shape [N, C, H, W]:
/// whole rows of the image where they fit in one or two vectors (the
/// columns beyond W are computed into the tile and not stored), rows that
/// divide H evenly (no partial tile), then as many output channels as the
/// register budget allows, so that each input row loaded is reused by
/// `channels` FMAs and each broadcast weight by `rows * vectors` FMAs.
ConvTile convTile(llvm::ArrayRef<int64_t> shape) {
  ConvTile t;
  if (shape.size() != 4)
    return t;
  int64_t c = shape[1], h = shape[2], w = shape[3];
  if (!mlir::ShapedType::isDynamic(w))
    t.vectors = w > kWideLanes ? 2 : 1;
  if (!mlir::ShapedType::isDynamic(h)) {
    if (h <= 8)
      t.rows = static_cast<int>(h);
    else if (int64_t d = divisorIn(h, 4, 8))
      t.rows = static_cast<int>(d);
  }
  int64_t budget = kConvAccumulators / (t.rows * t.vectors);
  if (!mlir::ShapedType::isDynamic(c) && budget > 1)
    if (int64_t d = divisorIn(c, 1, budget))
      t.channels = static_cast<int>(d);
  return t;
}

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

/// A per-channel statistic of training batch normalisation (mean,
/// variance): s(c) = sum over
/// (n, y, x) of a pointwise expression of the [N, C, H, W] inputs. The
/// generic rule (vectorise over c inside the reduction) makes every load a
/// gather across channels (stride H*W) on one thread. Instead: each image
/// plane (y, x) is contiguous, so the plane is fused into one reduction
/// loop and factored (rfactor) into 16-lane partial sums of contiguous
/// loads (784 = 49 vectors for a 28x28 plane; a 14x14 plane has one
/// masked vector in 13), summed per channel, channels in parallel.
/// Measured (2 threads, batch 128, 32x28x28): batch_norm_train 1.0 -> 0.47
/// ms. Not applied to batch_norm_grad (2.0 -> 0.65 ms there): its input
/// gradient's exact sum over the batch is zero, and the checker's chained
/// gradient test of the CNN only tolerates the rounding of the sequential
/// order there (the lane order leaves 2.3e-7 where 1.3e-7 passes).
bool scheduleChannelStatistic(Halide::Func f, ScheduleHint hint) {
  if (hint != ScheduleHint::ChannelStatistic)
    return false;
  if (f.dimensions() != 1 || f.num_update_definitions() < 1)
    return false;
  std::vector<RVar> r = f.rvars(0); // (x, y, n)
  if (r.size() != 3)
    return false;
  Var c = f.args()[0], u("u");
  RVar rxy("rxy"), rxyo("rxyo"), rxyi("rxyi");
  Stage s = f.update(0);
  s.fuse(r[0], r[1], rxy)
      .split(rxy, rxyo, rxyi, kWideLanes, TailStrategy::GuardWithIf);
  Halide::Func lanes = s.rfactor(rxyi, u);
  s.parallel(c);
  lanes.compute_at(f, c)
      .bound_storage(c, 1)
      .bound_storage(u, kWideLanes)
      .reorder_storage(u, c)
      .vectorize(u);
  lanes.update(0).reorder({u, rxyo, r[2]}).vectorize(u);
  // Later updates (the division of a mean) are pointwise over c.
  for (int k = 1; k < f.num_update_definitions(); ++k)
    f.update(k).vectorize(c, kVectorLanes, TailStrategy::GuardWithIf);
  return true;
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

/// The static value of `e`, or -1.
int64_t constantOr(const Halide::Expr &e, int64_t otherwise = -1) {
  Halide::Expr folded = Halide::Internal::simplify(e);
  if (const int64_t *c = Halide::Internal::as_const_int(folded))
    return *c;
  return otherwise;
}

/// The weight gradient dw(kx, ky, i, o) = sum over (x, y, n) of
/// g(x, y, o, n) * xpadded(x + kx, y + ky, i, n): a long reduction (N*H*W
/// terms) into a small result. The image columns x are factored out of the
/// reduction (rfactor) into 16-lane partial sums `lanes(u, kx, ky, i, o)`,
/// so that each reduction step is a contiguous vector load of g and of the
/// padded input and one FMA per (kx, o) pair; the columns beyond W are
/// masked. A register tile of 3 taps kx (the shifted input rows are loaded
/// once per tile) times `To` output channels (one g row each) is computed
/// per (o tile, i, ky) over the whole batch, then its lanes are summed.
/// Tiles run in parallel over output channel tiles; the g rows of one tile
/// (To channels of the whole batch) stay in L2 across its (i, ky) tiles.
void scheduleConvGradWeight(Halide::Func f, llvm::ArrayRef<int64_t> shape) {
  std::vector<Var> args = f.args(); // (kx, ky, i, o)
  std::vector<RVar> r = f.rvars(0); // (x, y, n)
  int64_t w = constantOr(r[0].extent());
  int vectors = w > kWideLanes ? 2 : 1;
  int width = vectors * kWideLanes;
  // The weight's static shape [O, I, kh, kw].
  if (shape.size() != 4 ||
      llvm::any_of(shape, [](int64_t d) { return d <= 0; })) {
    // General fallback (the weight's shape is static in the language, so
    // this is for IR written by hand): the plain reduction, no tiles.
    f.compute_root();
    schedulePure(f);
    return;
  }
  int64_t o = shape[0];
  int64_t kw = shape[3];
  // The intermediate is computed per (o tile, i, ky) and holds every tap kx
  // of that row of the kernel, so its storage bound is the kernel width
  // (kw taps of 2 vectors beyond 14 accumulators leave 1 output channel per
  // tile; past 28 the tile spills registers but stays correct).
  int taps = static_cast<int>(kw);
  int64_t budget = std::max<int64_t>(1, kConvAccumulators / (taps * vectors));
  int channels = static_cast<int>(divisorIn(o, 1, budget));
  RVar rxo("rxo"), rxi("rxi");
  Var u("u"), oo("oo"), oi("oi");
  f.compute_root();
  Stage s = f.update(0);
  s.split(r[0], rxo, rxi, width, TailStrategy::GuardWithIf);
  Halide::Func lanes = s.rfactor(rxi, u);
  s.split(args[3], oo, oi, channels, TailStrategy::GuardWithIf)
      .reorder({rxi, args[0], oi, args[1], args[2], oo})
      .parallel(oo);
  // The rfactor intermediate keeps f's pure variables and adds u; store u
  // innermost so that one lane vector is contiguous.
  Var kx = args[0], ky = args[1], i = args[2], oc = args[3];
  lanes.compute_at(f, ky)
      .reorder_storage(u, kx, ky, i, oc)
      .bound_storage(u, width)
      .bound_storage(kx, taps)
      .bound_storage(ky, 1)
      .bound_storage(i, 1)
      .bound_storage(oc, channels)
      .reorder(u, kx, ky, i, oc)
      .vectorize(u, kWideLanes);
  Var uo("uo"), uv("uv");
  lanes.update(0)
      .reorder({u, kx, oc, rxo, r[1], r[2]})
      .split(u, uo, uv, kWideLanes)
      .vectorize(uv)
      .unroll(uo)
      .unroll(kx)
      .unroll(oc);
}

void scheduleConv(Halide::Func f, ScheduleHint hint,
                  llvm::ArrayRef<int64_t> shape) {
  if (hint == ScheduleHint::ConvGradWeight) {
    scheduleConvGradWeight(f, shape);
    return;
  }
  f.compute_root();
  schedulePure(f);
  std::vector<Var> args = f.args(); // (x, y, c, n) in Halide order
  Stage s = f.update(0);
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

/// A convolution read out tile by tile (see convTile for the tile): the
/// accumulator of one tile is computed inside it with the reduction loops
/// outermost, in a fixed-size buffer that LLVM keeps in registers. Its
/// columns are rounded up to whole vectors (RoundUp: the padded input is
/// stored with zeros beyond the image, so the extra lanes read defined
/// values and are simply not stored), so no load in the reduction loop is
/// predicated; only the read-out's stores are guarded.
void scheduleConvReadout(Halide::Func out, Halide::Func acc,
                         llvm::ArrayRef<int64_t> shape) {
  ConvTile t = convTile(shape);
  std::vector<Var> args = out.args(), accArgs = acc.args();
  std::vector<RVar> rvars = acc.rvars(0);
  Var x = args[0], y = args[1], c = args[2], n = args[3];
  Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), co("co"), ci("ci"), tc("tc");
  int width = t.vectors * kWideLanes;
  out.compute_root()
      .split(x, xo, xi, width, TailStrategy::GuardWithIf)
      .split(y, yo, yi, t.rows, TailStrategy::GuardWithIf)
      .split(c, co, ci, t.channels, TailStrategy::GuardWithIf)
      .reorder({xi, yi, ci, xo, yo, co, n})
      .vectorize(xi, kWideLanes, TailStrategy::GuardWithIf)
      .fuse(co, n, tc)
      .parallel(tc);
  acc.compute_at(out, xo)
      .bound_storage(accArgs[0], width)
      .bound_storage(accArgs[1], t.rows)
      .bound_storage(accArgs[2], t.channels)
      .bound_storage(accArgs[3], 1)
      .vectorize(accArgs[0], kWideLanes, TailStrategy::RoundUp);
  std::vector<VarOrRVar> order = {accArgs[0], accArgs[1], accArgs[2]};
  for (const RVar &r : rvars)
    order.push_back(r);
  Var xv("xv");
  Stage u = acc.update(0);
  u.reorder(order)
      .split(accArgs[0], accArgs[0], xv, kWideLanes, TailStrategy::RoundUp)
      .vectorize(xv)
      .unroll(accArgs[0])
      .unroll(accArgs[1])
      .unroll(accArgs[2]);
}

/// A matmul read out tile by tile (convolutions: scheduleConvReadout):
/// `out` is tiled 16x4 over its (j, i), and the accumulator
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
      if (!scheduleChannelStatistic(f, info.hint))
        scheduleReductionUpdates(f);
      break;
    case FuncKind::Matmul:
      if (!readOutAccumulators.count(f.name()))
        scheduleMatmul(f);
      break;
    case FuncKind::Conv:
      if (!readOutAccumulators.count(f.name()))
        scheduleConv(f, info.hint, info.staticShape);
      break;
    case FuncKind::Readout: {
      const FuncInfo *acc = accumulatorOf[f.name()];
      if (acc->kind == FuncKind::Conv)
        scheduleConvReadout(f, acc->func, info.staticShape);
      else
        scheduleReadout(f, acc->func, acc->kind);
      break;
    }
    }
  }
  // The window maximum and first-maximum tap that a max-pooling gradient
  // reads are computed per image plane of the gradient (n, c), so that the
  // plane of the input they both read, and they themselves, are still in
  // L1/L2 when the next reads them. Measured (2 threads, batch 128): 1.95
  // -> 1.4 ms for 32x28x28, 1.58 -> 1.32 ms for 64x14x14.
  for (const FuncInfo &info : group.funcs) {
    if (info.hint != ScheduleHint::PoolGradPlane ||
        info.kind != FuncKind::Window || !outputs.count(info.func.name()) ||
        info.func.dimensions() != 4)
      continue;
    Halide::Func f = info.func;
    Var c = f.args()[2];
    std::vector<std::string> pending = {f.name()};
    std::set<std::string> seen;
    while (!pending.empty()) {
      std::string name = pending.back();
      pending.pop_back();
      for (const auto &[callee, function] :
           Halide::Internal::find_direct_calls(byName[name]->func.function())) {
        auto it = byName.find(callee);
        if (it == byName.end() || it->second->kind != FuncKind::Window ||
            outputs.count(callee) || !seen.insert(callee).second)
          continue;
        Halide::Func(function).compute_at(f, c);
        pending.push_back(callee);
      }
    }
  }
}
