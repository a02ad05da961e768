//===- StepPlanner.cpp - From lowered groups to a driver plan
//--------------===//
//
// Decides where every tensor of a step lives and in which order the kernels
// run. Function arguments and results are mapped to the runtime's buffers by
// their attributes (`nn.param`, `nn.opt_state`, `nn.loss`, ...); every other
// tensor that crosses a kernel boundary gets a slot in the workspace. New
// parameter values are written to the gradient scratch (trainable ones) or
// the workspace and copied into place after the last kernel, because a
// kernel may still read the old values while it writes the new ones.
//
// The workspace has a fixed part and, after it, a part per sample of batch
// capacity (a tensor with the batch dimension takes its bytes per sample
// times the batch). Each part is planned by liveness: a tensor is live from
// the kernel that writes it to the last kernel that reads it (to the end of
// the step when the runtime or the final copies read it), and tensors whose
// lives do not overlap share bytes. Offsets are chosen first-fit, largest
// tensors first (the usual greedy for this interval-packing problem).
//
//===----------------------------------------------------------------------===//
#include "dlc/Target/StepPlanner.h"

#include "dlc/Dialect/NN/IR/NNDialect.h"
#include "dlc/Dialect/NN/Transforms/TrainStep.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <map>

using namespace dlc;
using namespace dlc::target;

namespace {

/// Calls `fn(t, at)` for every tensor reference of `plan`: a kernel call's
/// arguments with `at` the call's index, then what is read after the last
/// kernel (the final copies, the loss, the step losses) with `at` the
/// number of calls.
void forEachTensor(StepPlan &plan,
                   llvm::function_ref<void(TensorRef &, size_t)> fn) {
  size_t end = plan.calls.size();
  for (size_t k = 0; k < end; ++k)
    for (KernelArg &a : plan.calls[k].args)
      if (!a.isScalar)
        fn(a.tensor, k);
  for (Copy &c : plan.copies) {
    fn(c.src, end);
    fn(c.dst, end);
  }
  if (plan.loss)
    fn(*plan.loss, end);
  for (TensorRef &t : plan.stepLosses)
    fn(t, end);
}

constexpr uint64_t kAlign = 64;
uint64_t alignUp(uint64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

class Planner {
public:
  Planner(mlir::func::FuncOp func, const ModelDesc &desc,
          DiagnosticEngine &diags)
      : func(func), slotNames(desc.slotNames), diags(diags) {
    for (const ModelDesc::Param &p : desc.params)
      paramNames.push_back(p.name);
  }

  bool run(llvm::ArrayRef<dlc::nn::HalideGroup> groups, StepPlan &plan,
           WorkspaceSize &ws) {
    if (!mapArguments())
      return false;
    mapResults(plan);
    for (const dlc::nn::HalideGroup &g : groups) {
      KernelCall call;
      call.symbol = g.interface.name;
      for (const auto &in : g.interface.inputs)
        if (!addArg(in.value, call))
          return false;
      for (const auto &out : g.interface.outputs)
        if (!addArg(out.value, call))
          return false;
      plan.calls.push_back(std::move(call));
    }
    planMemory(plan);
    ws.fixed = fixedBytes;
    ws.perSample = perSampleBytes;
    return true;
  }

private:
  TensorRef describe(mlir::Value v) {
    TensorRef t;
    auto type = mlir::cast<mlir::RankedTensorType>(v.getType());
    for (int64_t d : type.getShape())
      t.shape.push_back(mlir::ShapedType::isDynamic(d) ? -1 : d);
    mlir::Type e = type.getElementType();
    t.typeCode = e.isF32() || e.isF64() ? 'f' : 'i';
    t.bits = e.getIntOrFloatBitWidth();
    return t;
  }

  int64_t paramIndex(llvm::StringRef name) {
    for (size_t i = 0; i < paramNames.size(); ++i)
      if (paramNames[i] == name)
        return i;
    return -1;
  }

  /// The runtime's index of optimiser state "<slot>.<param name>"
  /// (opt_state[slot * num_params + param]), or -1 if either is unknown.
  int64_t optStateIndex(llvm::StringRef state) {
    auto [slot, name] = state.split('.');
    auto it = llvm::find(slotNames, slot);
    int64_t param = paramIndex(name);
    if (it == slotNames.end() || param < 0)
      return -1;
    return (it - slotNames.begin()) * int64_t(paramNames.size()) + param;
  }

  bool fail(const std::string &msg) {
    diags.error("internal error while planning '" + func.getName().str() +
                "': " + msg);
    return false;
  }

  bool mapArguments() {
    int64_t seed = 0;
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      mlir::Value arg = func.getArgument(i);
      TensorRef t = describe(arg);
      auto str = [&](llvm::StringRef attr) -> std::optional<std::string> {
        if (auto s = func.getArgAttrOfType<mlir::StringAttr>(i, attr))
          return s.str();
        return std::nullopt;
      };
      if (auto g = str(nn::kGradInAttrName)) {
        // A gradient that the runtime passes in (`@M_update_step`).
        t.source = TensorRef::Source::Grad;
        t.index = paramIndex(*g);
        readsGradients = true;
      } else if (i == 0 && !func.getArgAttr(i, nn::NNDialect::kParamAttrName)) {
        t.source = TensorRef::Source::Input;
      } else if (func.getArgAttr(i, nn::kLabelsAttrName)) {
        t.source = TensorRef::Source::Labels;
      } else if (auto p = str(nn::NNDialect::kParamAttrName)) {
        t.source = TensorRef::Source::Param;
        t.index = paramIndex(*p);
      } else if (auto b = str(nn::kBufferAttrName)) {
        t.source = TensorRef::Source::Param;
        t.index = paramIndex(*b);
      } else if (auto s = str(nn::kOptStateAttrName)) {
        t.source = TensorRef::Source::OptState;
        t.index = optStateIndex(*s);
        if (t.index < 0)
          return fail("optimizer state '" + *s + "' is unknown to the runtime");
      } else if (func.getArgAttr(i, nn::kSeedAttrName)) {
        KernelArg a;
        a.isScalar = a.scalarAsBuffer = true;
        a.scalar = {ScalarRef::Kind::Seed, seed++, 'i', 64};
        scalars[arg] = a;
        continue;
      } else if (func.getArgAttr(i, nn::kLRAttrName)) {
        KernelArg a;
        a.isScalar = a.scalarAsBuffer = true;
        a.scalar = {ScalarRef::Kind::LearningRate, 0, 'f', 32};
        scalars[arg] = a;
        continue;
      } else if (func.getArgAttr(i, nn::kStepAttrName)) {
        KernelArg a;
        a.isScalar = a.scalarAsBuffer = true;
        a.scalar = {ScalarRef::Kind::StepCount, 0, 'f', 32};
        scalars[arg] = a;
        continue;
      } else {
        return fail("argument " + std::to_string(i) + " has no known role");
      }
      if (t.index < 0)
        return fail("argument " + std::to_string(i) +
                    " names an unknown parameter");
      homes[arg] = t;
    }
    return true;
  }

  /// A tensor of the workspace: its bytes (per sample when it has the
  /// batch dimension), its live range in kernel calls, and its offset.
  struct Slot {
    uint64_t bytes = 0;
    bool perSample = false;
    size_t first = SIZE_MAX, last = 0;
    uint64_t offset = 0;
  };
  std::vector<Slot> slots;

  TensorRef workspaceSlot(mlir::Value v) {
    TensorRef t = describe(v);
    t.source = TensorRef::Source::Workspace;
    Slot s;
    s.perSample = llvm::is_contained(t.shape, -1);
    s.bytes = alignUp(t.bytes(1));
    t.slot = slots.size();
    slots.push_back(s);
    return t;
  }

  /// Gives every slot its offset by liveness (see the file comment) and
  /// writes the offsets into every reference of the plan. Per-sample slots
  /// start after the fixed part, at batch * offsetPerSample plus its size
  /// (added at the end, see finishOffsets()).
  void planMemory(StepPlan &plan) {
    forEachTensor(plan, [&](TensorRef &t, size_t at) {
      if (t.source != TensorRef::Source::Workspace || t.slot < 0)
        return;
      Slot &s = slots[t.slot];
      s.first = std::min(s.first, at);
      s.last = std::max(s.last, at);
    });
    for (bool perSample : {false, true}) {
      std::vector<size_t> order;
      for (size_t i = 0; i < slots.size(); ++i)
        if (slots[i].perSample == perSample)
          order.push_back(i);
      llvm::stable_sort(order, [&](size_t a, size_t b) {
        return slots[a].bytes > slots[b].bytes;
      });
      std::vector<size_t> placed;
      uint64_t peak = 0;
      for (size_t i : order) {
        Slot &s = slots[i];
        // The busy byte ranges of the placed slots that live at the same
        // time, in address order; the first gap that fits takes it.
        std::vector<std::pair<uint64_t, uint64_t>> busy;
        for (size_t j : placed) {
          const Slot &o = slots[j];
          if (o.first <= s.last && s.first <= o.last)
            busy.push_back({o.offset, o.offset + o.bytes});
        }
        llvm::sort(busy);
        uint64_t at = 0;
        for (auto [lo, hi] : busy) {
          if (at + s.bytes <= lo)
            break;
          at = std::max(at, hi);
        }
        s.offset = at;
        peak = std::max(peak, at + s.bytes);
        placed.push_back(i);
      }
      (perSample ? perSampleBytes : fixedBytes) = peak;
    }
    forEachTensor(plan, [&](TensorRef &t, size_t) {
      if (t.source != TensorRef::Source::Workspace || t.slot < 0)
        return;
      const Slot &s = slots[t.slot];
      (s.perSample ? t.offsetPerSample : t.offsetFixed) = s.offset;
    });
  }

  void mapResults(StepPlan &plan) {
    auto ret = mlir::cast<mlir::func::ReturnOp>(
        func.getBody().front().getTerminator());
    for (unsigned i = 0; i < ret.getNumOperands(); ++i) {
      mlir::Value v = ret.getOperand(i);
      auto str = [&](llvm::StringRef attr) -> std::optional<std::string> {
        if (auto s = func.getResultAttrOfType<mlir::StringAttr>(i, attr))
          return s.str();
        return std::nullopt;
      };
      bool produced = !mlir::isa<mlir::BlockArgument>(v);
      // A gradient function (`@M_eval_loss_grad`) returns the loss and the
      // output first, without attributes, then the gradients (a backbone
      // step returns only its features, as nn.logits).
      // (An update step's first result is a new parameter: not
      // positional.)
      bool positional = !func.getResultAttr(0, nn::kLossAttrName) &&
                        !func.getResultAttr(0, nn::kLogitsAttrName) &&
                        !func.getResultAttr(0, nn::kNewParamAttrName);
      if (auto g = str(nn::NNDialect::kGradOfAttrName)) {
        TensorRef dst = describe(v);
        dst.source = TensorRef::Source::Grad;
        dst.index = paramIndex(*g);
        if (produced && !homes.count(v))
          homes[v] = dst;
        copyUnlessSame(plan, homes.at(v), dst);
      } else if (func.getResultAttr(i, nn::kInputGradAttrName)) {
        TensorRef dst = describe(v);
        dst.source = TensorRef::Source::InputGrad;
        if (produced && !homes.count(v))
          homes[v] = dst;
        else
          plan.copies.push_back({homes.at(v), dst});
      } else if (auto k = func.getResultAttrOfType<mlir::IntegerAttr>(
                     i, nn::kStepLossAttrName)) {
        TensorRef t =
            produced && !homes.count(v) ? workspaceSlot(v) : homes.at(v);
        homes[v] = t;
        if (plan.stepLosses.size() <= k.getInt())
          plan.stepLosses.resize(k.getInt() + 1);
        plan.stepLosses[k.getInt()] = t;
      } else if (func.getResultAttr(i, nn::kLossAttrName) ||
                 (positional && i == 0)) {
        TensorRef t =
            produced && !homes.count(v) ? workspaceSlot(v) : homes.at(v);
        homes[v] = t;
        plan.loss = t;
      } else if (func.getResultAttr(i, nn::kLogitsAttrName) ||
                 (positional && i == 1)) {
        if (produced && !homes.count(v)) {
          TensorRef t = describe(v);
          t.source = TensorRef::Source::Logits;
          homes[v] = t;
        } else {
          TensorRef dst = describe(v);
          dst.source = TensorRef::Source::Logits;
          plan.copies.push_back({homes.at(v), dst});
        }
      } else if (auto p = str(nn::kNewParamAttrName)) {
        TensorRef dst = describe(v);
        dst.source = TensorRef::Source::Param;
        dst.index = paramIndex(*p);
        if (produced && !homes.count(v)) {
          // The gradient scratch, unless the step reads its gradients from
          // there (`@M_update_step`): then the workspace.
          if (readsGradients) {
            homes[v] = workspaceSlot(v);
          } else {
            TensorRef t = describe(v);
            t.source = TensorRef::Source::Grad;
            t.index = dst.index;
            homes[v] = t;
          }
        }
        copyUnlessSame(plan, homes.at(v), dst);
      } else if (auto b = str(nn::kNewBufferAttrName)) {
        TensorRef dst = describe(v);
        dst.source = TensorRef::Source::Param;
        dst.index = paramIndex(*b);
        if (produced && !homes.count(v))
          homes[v] = workspaceSlot(v);
        copyUnlessSame(plan, homes.at(v), dst);
      } else if (auto s = str(nn::kNewOptStateAttrName)) {
        TensorRef dst = describe(v);
        dst.source = TensorRef::Source::OptState;
        dst.index = optStateIndex(*s);
        assert(dst.index >= 0 && "state results mirror the state arguments");
        if (produced && !homes.count(v))
          homes[v] = workspaceSlot(v);
        copyUnlessSame(plan, homes.at(v), dst);
      }
    }
  }

  static bool same(const TensorRef &a, const TensorRef &b) {
    return a.source == b.source && a.index == b.index &&
           a.offsetFixed == b.offsetFixed &&
           a.offsetPerSample == b.offsetPerSample;
  }
  void copyUnlessSame(StepPlan &plan, const TensorRef &src,
                      const TensorRef &dst) {
    if (!same(src, dst))
      plan.copies.push_back({src, dst});
  }

  bool addArg(mlir::Value v, KernelCall &call) {
    auto s = scalars.find(v);
    if (s != scalars.end()) {
      call.args.push_back(s->second);
      return true;
    }
    if (!homes.count(v))
      homes[v] = workspaceSlot(v);
    KernelArg a;
    a.tensor = homes[v];
    call.args.push_back(a);
    return true;
  }

  mlir::func::FuncOp func;
  std::vector<std::string> paramNames;
  std::vector<std::string> slotNames;
  DiagnosticEngine &diags;
  llvm::DenseMap<mlir::Value, TensorRef> homes;
  llvm::DenseMap<mlir::Value, KernelArg> scalars;
  uint64_t fixedBytes = 0, perSampleBytes = 0;
  /// Some argument is a gradient (nn.grad_in).
  bool readsGradients = false;
};

/// Per-sample slots sit after the fixed part: offsetFixed += fixed size.
void finishOffsets(StepPlan &plan, uint64_t fixed) {
  forEachTensor(plan, [&](TensorRef &t, size_t) {
    if (t.source == TensorRef::Source::Workspace &&
        llvm::is_contained(t.shape, -1))
      t.offsetFixed = fixed;
  });
}

} // namespace

bool target::planStep(mlir::func::FuncOp func,
                      llvm::ArrayRef<dlc::nn::HalideGroup> groups,
                      const ModelDesc &desc, DiagnosticEngine &diags,
                      StepPlan &plan, WorkspaceSize &workspace) {
  Planner planner(func, desc, diags);
  if (!planner.run(groups, plan, workspace))
    return false;
  finishOffsets(plan, alignUp(workspace.fixed));
  workspace.fixed = alignUp(workspace.fixed);
  return true;
}
