//===- MLIRGen.cpp - Typed program to nn dialect
//---------------------------===//
//
// Walks the typed program of Sema and builds nn-dialect functions. Each
// built-in op of the language is emitted as its entry in the op table
// (Sema/Builtins.cpp) says: one nn op, built here generically from the
// entry's op name and attribute bindings, or one of the expansions
// (`Expansion`) for ops whose nn form is a short sequence of nn ops (layer
// normalisation, cross-entropy against class probabilities, abs) or depends
// on training/inference. Layer instances are inlined.
//
//===----------------------------------------------------------------------===//
#include "dlc/MLIRGen/MLIRGen.h"

#include "dlc/Dialect/NN/IR/NNDialect.h"
#include "dlc/Dialect/NN/IR/NNOps.h"
#include "dlc/Sema/Builtins.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <set>

using namespace dlc;
using namespace dlc::sema;
using mlir::Value;

namespace {

/// The values visible in one inlined body.
struct Frame {
  std::vector<Value> inputs;
};

class Generator {
public:
  Generator(mlir::MLIRContext &ctx, DiagnosticEngine &diags)
      : ctx(ctx), b(&ctx), diags(diags) {}

  mlir::OwningOpRef<mlir::ModuleOp> run(const Program &prog) {
    module = mlir::ModuleOp::create(b.getUnknownLoc());
    this->prog = &prog;
    for (const auto &m : prog.models) {
      const TrainConfig *train = nullptr;
      for (const TrainConfig &t : prog.trains)
        if (t.model == m.get() && t.step.empty())
          train = &t;
      // The three functions share their ops: an error in one would only
      // repeat in the others.
      emitFunction(*m, nullptr, ForwardMode::Train);
      if (!failed)
        emitFunction(*m, nullptr, ForwardMode::Eval);
      if (train && !failed)
        emitFunction(*m, train, ForwardMode::Train);
      if (train && !failed)
        emitFunction(*m, train, ForwardMode::Eval);
    }
    for (const TrainConfig &t : prog.trains)
      if (t.model && !t.step.empty() && !failed)
        emitStepTrainer(t);
    if (failed)
      return nullptr;
    if (!recipes.empty())
      module->setAttr(nn::NNDialect::kTrainAttrName, b.getArrayAttr(recipes));
    if (mlir::failed(mlir::verify(module.getOperation()))) {
      diags.error(
          "internal error: the generated nn-dialect module does not verify");
      return nullptr;
    }
    return mlir::OwningOpRef<mlir::ModuleOp>(module);
  }

private:
  //--- Types and locations ----------------------------------------------------
  mlir::Type elementType(DType t) {
    switch (t) {
    case DType::F32:
      return b.getF32Type();
    case DType::F64:
      return b.getF64Type();
    case DType::I32:
      return b.getI32Type();
    case DType::I64:
      return b.getI64Type();
    }
    return b.getF32Type();
  }
  mlir::RankedTensorType tensorType(const Type &t) {
    llvm::SmallVector<int64_t> shape;
    for (const Dim &d : t.shape)
      shape.push_back(d.isKnown() ? d.size : mlir::ShapedType::kDynamic);
    return mlir::RankedTensorType::get(shape, elementType(t.dtype));
  }
  /// The position of `l`; inside a layer body, a call-site location whose
  /// callers are the layer calls that led there (outermost last), so that a
  /// later error can point at the user's call and not only at the stdlib.
  mlir::Location loc(Loc l) {
    mlir::Location at = position(l);
    for (auto it = callers.rbegin(); it != callers.rend(); ++it)
      at = mlir::CallSiteLoc::get(at, *it);
    return at;
  }
  mlir::Location position(Loc l) {
    std::string file;
    unsigned line, col;
    if (!diags.getLineCol(l, file, line, col))
      return b.getUnknownLoc();
    return mlir::FileLineColLoc::get(&ctx, file, line, col);
  }
  /// The layer calls being emitted, outermost first.
  std::vector<mlir::Location> callers;

  //--- Small builders
  //-----------------------------------------------------------
  template <typename OpT>
  Value make(mlir::Location l, mlir::Type type, mlir::ValueRange operands,
             llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    return b.create<OpT>(l, mlir::TypeRange{type}, operands, attrs)
        ->getResult(0);
  }
  mlir::NamedAttribute attr(llvm::StringRef name, mlir::Attribute a) {
    return b.getNamedAttr(name, a);
  }
  mlir::Attribute pair(const Const &c) {
    return b.getDenseI64ArrayAttr({c.list[0].i, c.list[1].i});
  }
  Value scalarConst(mlir::Location l, double v, mlir::Type elem) {
    auto type = mlir::RankedTensorType::get({}, elem);
    mlir::Attribute value =
        mlir::DenseElementsAttr::get(type, b.getFloatAttr(elem, v));
    return make<nn::ConstantOp>(l, type, {}, {attr("value", value)});
  }
  static const Const &attrOf(const TExpr &e, llvm::StringRef name) {
    for (auto &a : e.attrs)
      if (a.first == name)
        return a.second;
    static const Const none;
    return none;
  }
  static int64_t normAxis(int64_t axis, unsigned rank) {
    return axis < 0 ? axis + rank : axis;
  }
  void unsupported(const TExpr &e, const std::string &what) {
    diags.error(e.loc, what + " is not supported by code generation yet");
    failed = true;
  }

  //--- Functions
  //------------------------------------------------------------------
  /// Counts the sites that each get a seed argument: dropout (in training)
  /// and random fills.
  static void countSeeds(const TExpr &e, ForwardMode mode, unsigned &n) {
    if (e.kind == TExpr::Kind::Op &&
        ((e.op->emit.expansion == Expansion::Dropout &&
          mode == ForwardMode::Train) ||
         e.op->emit.expansion == Expansion::Random))
      ++n;
    for (auto &o : e.operands)
      if (o)
        countSeeds(*o, mode, n);
    if (e.instance)
      for (const TStmt &s : e.instance->body)
        countSeeds(*s.value, mode, n);
  }

  void emitFunction(const Model &m, const TrainConfig *train,
                    ForwardMode mode) {
    this->mode = mode;
    unsigned numSeeds = 0;
    for (const TStmt &s : m.inst.body)
      countSeeds(*s.value, mode, numSeeds);
    llvm::SmallVector<mlir::Type> argTypes;
    for (auto &in : m.inst.inputs)
      argTypes.push_back(tensorType(in.second));
    // The targets of a batch: [B] class indices or [B, ...] float values;
    // none when the target is the input.
    bool labelArg = train && !train->targetIsInput;
    if (labelArg) {
      Shape shape = {Dim::symbol("B")};
      shape.insert(shape.end(), train->labelType.shape.begin(),
                   train->labelType.shape.end());
      argTypes.push_back(
          tensorType(Type::tensor(train->labelType.dtype, shape)));
    }
    for (auto &p : m.params)
      argTypes.push_back(tensorType(p->type));
    auto seedType = mlir::RankedTensorType::get({}, b.getI64Type());
    for (unsigned i = 0; i < numSeeds; ++i)
      argTypes.push_back(seedType);

    std::string name =
        m.name + (train ? (mode == ForwardMode::Eval ? "_eval_loss" : "_loss")
                        : (mode == ForwardMode::Eval ? "_eval" : ""));
    b.setInsertionPointToEnd(module.getBody());
    auto func = b.create<mlir::func::FuncOp>(loc(m.inst.loc), name,
                                             b.getFunctionType(argTypes, {}));
    if (train && mode == ForwardMode::Train)
      func->setAttr("nn.optimizer", optimizerAttr(*train));
    // The layer table of the train function (see recordRow).
    recordingLayers = train && mode == ForwardMode::Train;
    layerRows.clear();
    opCounts.clear();
    mlir::Block *entry = func.addEntryBlock();
    b.setInsertionPointToStart(entry);

    unsigned arg = 0;
    Frame frame;
    for (size_t i = 0; i < m.inst.inputs.size(); ++i)
      frame.inputs.push_back(entry->getArgument(arg++));
    Value labels;
    if (labelArg) {
      func.setArgAttr(arg, "nn.labels", b.getUnitAttr());
      labels = entry->getArgument(arg++);
    }
    params.clear();
    for (auto &p : m.params) {
      // A parameter the train block freezes is a buffer of its functions:
      // autodiff computes no gradient for it and nn-build-train-step gives
      // it no optimiser state and no update (nn.train's `freeze` tells the
      // back end it is a frozen parameter, for `./train info`).
      bool trainable = p->trainable && !(train && train->freezes(p->name));
      func.setArgAttr(arg,
                      trainable ? nn::NNDialect::kParamAttrName : "nn.buffer",
                      b.getStringAttr(p->name));
      params[p.get()] = entry->getArgument(arg++);
    }
    seeds.clear();
    nextSeed = 0;
    for (unsigned i = 0; i < numSeeds; ++i) {
      func.setArgAttr(arg, "nn.seed",
                      b.getStringAttr("seed_" + std::to_string(i)));
      seeds.push_back(entry->getArgument(arg++));
    }
    batchRef = frame.inputs.empty() ? Value() : frame.inputs[0];
    bufferUpdates.clear();
    locals.clear();

    Value out = emitBody(m.inst, frame);
    if (!out) {
      failed = true;
      func.erase();
      return;
    }
    llvm::SmallVector<Value> results;
    if (train) {
      if (train->targetIsInput) {
        // The input, in the output's shape (Sema checked the sizes).
        labels = frame.inputs[0];
        if (labels.getType() != out.getType())
          labels = make<nn::ReshapeOp>(loc(m.inst.loc), out.getType(), {labels});
      }
      Value loss = emitTrainLoss(*train, out, labels, m.inst.loc);
      if (!loss) {
        failed = true;
        func.erase();
        return;
      }
      results.push_back(loss);
    }
    results.push_back(out);
    for (auto &u : bufferUpdates)
      results.push_back(u.second);
    b.create<mlir::func::ReturnOp>(loc(m.inst.loc), results);
    llvm::SmallVector<mlir::Type> resultTypes;
    for (Value v : results)
      resultTypes.push_back(v.getType());
    func.setType(b.getFunctionType(argTypes, resultTypes));
    unsigned first = results.size() - bufferUpdates.size();
    for (size_t i = 0; i < bufferUpdates.size(); ++i)
      func.setResultAttr(first + i, "nn.buffer_update",
                         b.getStringAttr(bufferUpdates[i].first->name));
    if (recordingLayers)
      recipes.push_back(trainAttr(m, *train));
    recordingLayers = false;
  }

  /// A constant of the train block as an attribute: numbers, booleans,
  /// strings and names as themselves, lists as arrays, calls as dictionaries
  /// with the callee's name under `kind`. None is null (left out).
  mlir::Attribute constAttr(const Const &c) {
    switch (c.kind) {
    case Const::Kind::None:
      return nullptr;
    case Const::Kind::Int:
      return b.getI64IntegerAttr(c.i);
    case Const::Kind::Float:
      return b.getF64FloatAttr(c.f);
    case Const::Kind::Bool:
      return b.getBoolAttr(c.b);
    case Const::Kind::String:
    case Const::Kind::Symbol:
    case Const::Kind::Dim:
      return b.getStringAttr(c.s);
    case Const::Kind::List: {
      llvm::SmallVector<mlir::Attribute> items;
      for (const Const &x : c.list)
        if (mlir::Attribute a = constAttr(x))
          items.push_back(a);
      return b.getArrayAttr(items);
    }
    case Const::Kind::Call: {
      llvm::SmallVector<mlir::NamedAttribute> entries = {
          attr("kind", b.getStringAttr(c.s))};
      for (auto &kv : c.kwargs)
        if (mlir::Attribute a = constAttr(kv.second))
          entries.push_back(attr(kv.first, a));
      return b.getDictionaryAttr(entries);
    }
    }
    return nullptr;
  }

  /// One recipe of the module's `nn.train` attribute (see NNDialect.td): the
  /// model trained, the train block's settings, the parameter initialisers and
  /// the layer table, all the back end needs besides the functions.
  mlir::DictionaryAttr trainAttr(const Model &m, const TrainConfig &train) {
    llvm::SmallVector<mlir::NamedAttribute> entries = {
        attr("at", position(train.loc)),
        attr("model", b.getStringAttr(m.name))};
    for (auto &kv : train.settings) {
      // The optimiser, clipping and L1 are the step's: nn.optimizer; the
      // frozen parameters are listed by key below.
      if (kv.first == "optimizer" || kv.first == "grad_clip" ||
          kv.first == "l1" || kv.first == "freeze")
        continue;
      // No data preparation is the attribute's default (TrainAttr.h): left
      // out, so that recipes without it read as before.
      if ((kv.first == "normalize" && kv.second.s == "none") ||
          (kv.first == "augment" && kv.second.list.empty()) ||
          (kv.first == "balance" && kv.second.s == "none") ||
          (kv.first == "folds" && kv.second.i <= 1) ||
          (kv.first == "snapshots" && kv.second.i <= 1))
        continue;
      mlir::Attribute a = constAttr(kv.second);
      if (kv.first == "data" && a) {
        // The number of classes the labels have (0: not fixed by the source).
        mlir::NamedAttrList data(mlir::cast<mlir::DictionaryAttr>(a));
        data.set("classes",
                 b.getI64IntegerAttr(dataSignature(kv.second).classes));
        a = data.getDictionary(&ctx);
      }
      if (a)
        entries.push_back(attr(kv.first, a));
    }
    llvm::SmallVector<mlir::NamedAttribute> inits;
    for (auto &p : m.params)
      inits.push_back(attr(p->name, constAttr(p->init)));
    entries.push_back(attr("params", b.getDictionaryAttr(inits)));
    llvm::SmallVector<mlir::Attribute> frozen;
    for (auto &p : m.params)
      if (p->trainable && train.freezes(p->name))
        frozen.push_back(b.getStringAttr(p->name));
    if (!frozen.empty())
      entries.push_back(attr("frozen", b.getArrayAttr(frozen)));
    entries.push_back(attr("layers", b.getArrayAttr(layerRows)));
    return b.getDictionaryAttr(entries);
  }

  /// FLOPs per sample of one op, as the op counts them (CostOpInterface);
  /// constants cost nothing.
  static int64_t flopsPerSample(mlir::Operation *op) {
    if (op->hasTrait<mlir::OpTrait::ConstantLike>())
      return 0;
    if (auto cost = mlir::dyn_cast<nn::CostOpInterface>(op))
      return cost.getFlopsPerSample();
    return 0;
  }

  /// Adds a row to the layer table for a layer call or an op outside any
  /// layer (`e`) whose ops are those created after `before`: its FLOPs are
  /// those of the ops `result` depends on (not the running-statistic
  /// updates).
  void recordRow(const TExpr &e, mlir::Operation *before, Value result) {
    if (!recordingLayers || !callers.empty() || !result)
      return;
    mlir::Block *block = b.getInsertionBlock();
    llvm::SmallPtrSet<mlir::Operation *, 16> created;
    for (auto it = before ? std::next(before->getIterator()) : block->begin();
         it != block->end(); ++it)
      created.insert(&*it);
    int64_t flops = 0;
    llvm::SmallVector<mlir::Operation *> work;
    llvm::SmallPtrSet<mlir::Operation *, 16> seen;
    if (mlir::Operation *def = result.getDefiningOp())
      work.push_back(def);
    while (!work.empty()) {
      mlir::Operation *op = work.pop_back_val();
      if (!created.count(op) || !seen.insert(op).second)
        continue;
      flops += flopsPerSample(op);
      for (Value v : op->getOperands())
        if (mlir::Operation *def = v.getDefiningOp())
          work.push_back(def);
    }
    std::string name = e.kind == TExpr::Kind::Layer
                           ? e.instance->prefix
                           : e.name + "_" + std::to_string(opCounts[e.name]++);
    layerRows.push_back(
        b.getDictionaryAttr({attr("name", b.getStringAttr(name)),
                             attr("op", b.getStringAttr(e.name)),
                             attr("shape", b.getStringAttr(e.type.str())),
                             attr("flops", b.getI64IntegerAttr(flops))}));
  }
  /// The last op of the current block, or null.
  mlir::Operation *lastOp() {
    mlir::Block *block = b.getInsertionBlock();
    return block->empty() ? nullptr : &block->back();
  }

  /// The `nn.optimizer` attribute of `@M_loss`, read by nn-build-train-step
  /// (see dlc/Dialect/NN/Transforms/TrainStep.h): the optimizer's `kind`
  /// (the call's name) and keyword arguments, plus `grad_clip` and `l1`.
  mlir::DictionaryAttr optimizerAttr(const TrainConfig &train) {
    llvm::SmallVector<mlir::NamedAttribute> entries;
    auto add = [&](const std::string &key, const Const &c) {
      if (c.kind == Const::Kind::Bool)
        entries.push_back(attr(key, b.getBoolAttr(c.b)));
      else if (c.isNumber())
        entries.push_back(attr(key, b.getF64FloatAttr(c.asDouble())));
    };
    const Const *opt = train.get("optimizer");
    entries.push_back(attr("kind", b.getStringAttr(opt ? opt->s : "sgd")));
    if (opt)
      for (auto &kv : opt->kwargs)
        add(kv.first, kv.second);
    for (const char *key : {"grad_clip", "l1"})
      if (const Const *c = train.get(key))
        add(key, *c);
    return b.getDictionaryAttr(entries);
  }

  /// The train block's loss of the model output against the labels.
  Value emitTrainLoss(const TrainConfig &train, Value out, Value labels,
                      Loc at) {
    const Const *loss = train.get("loss");
    TExpr e(TExpr::Kind::Op, at, Type::tensor(DType::F32, {}));
    e.name = loss->s;
    e.op = lookupOp(loss->s);
    for (auto &kv : loss->kwargs)
      e.attrs.push_back(kv);
    llvm::SmallVector<Value> operands = {out, labels};
    if (const Const *w = loss->get("weight"); w && !w->isNone()) {
      auto type = mlir::RankedTensorType::get({int64_t(w->list.size())},
                                              b.getF32Type());
      llvm::SmallVector<float> values;
      for (const Const &c : w->list)
        values.push_back(float(c.asDouble()));
      operands.push_back(make<nn::ConstantOp>(
          loc(at), type, {},
          {attr("value", mlir::DenseElementsAttr::get(
                             type, llvm::ArrayRef<float>(values)))}));
    } else {
      operands.push_back(Value());
    }
    return emitOp(e, operands);
  }

  /// Emits a body; returns its first result (null after an error) and puts
  /// every result (a tuple has several) in `results` when given.
  Value emitBody(const Instance &inst, Frame &frame,
                 llvm::SmallVectorImpl<Value> *results = nullptr) {
    Value result;
    for (const TStmt &s : inst.body) {
      Value v = emitExpr(*s.value, frame);
      if (!v)
        return nullptr;
      if (s.kind == TStmt::Kind::Return) {
        if (!result)
          result = v;
        if (results)
          results->push_back(v);
      } else {
        locals[s.value.get()] = v;
      }
    }
    return result;
  }

  //--- Expressions
  //------------------------------------------------------------------
  Value emitExpr(const TExpr &e, Frame &frame) {
    switch (e.kind) {
    case TExpr::Kind::Input:
      return frame.inputs[e.index];
    case TExpr::Kind::Param:
      return params.at(e.param);
    case TExpr::Kind::Local:
      return locals.at(e.def);
    case TExpr::Kind::Scalar:
      return scalarConst(loc(e.loc), e.scalar, elementType(e.type.dtype));
    case TExpr::Kind::Layer: {
      Frame inner;
      for (auto &o : e.operands) {
        Value v = emitExpr(*o, frame);
        if (!v)
          return nullptr;
        inner.inputs.push_back(v);
      }
      mlir::Operation *before = lastOp();
      callers.push_back(position(e.loc));
      llvm::SmallVector<Value> results;
      Value result = emitBody(*e.instance, inner, &results);
      callers.pop_back();
      if (!result)
        return nullptr;
      recordRow(e, before, result);
      if (!e.type.isTensor())
        tupleResults[&e] = results;
      return result;
    }
    case TExpr::Kind::Element:
      return tupleResults.at(e.def)[e.index];
    case TExpr::Kind::Model: {
      const Model *m = prog->findModel(e.name);
      if (!stepMode || !m) {
        unsupported(e, "calling a model outside a train step");
        return nullptr;
      }
      Frame inner;
      for (auto &o : e.operands) {
        Value v = emitExpr(*o, frame);
        if (!v)
          return nullptr;
        inner.inputs.push_back(v);
      }
      const TExpr *outer = modelCall;
      modelCall = &e;
      callers.push_back(position(e.loc));
      Value result = emitBody(m->inst, inner);
      callers.pop_back();
      modelCall = outer;
      return result;
    }
    case TExpr::Kind::Op: {
      llvm::SmallVector<Value> operands;
      for (auto &o : e.operands) {
        if (!o) {
          operands.push_back(Value());
          continue;
        }
        Value v = emitExpr(*o, frame);
        if (!v)
          return nullptr;
        operands.push_back(v);
      }
      mlir::Operation *before = lastOp();
      Value result = emitOp(e, operands);
      recordRow(e, before, result);
      return result;
    }
    }
    return nullptr;
  }

  /// Broadcasts a 0-d operand to the shape of `like` (for ops whose nn form
  /// needs equal shapes).
  Value broadcastTo(Value v, Value like, mlir::Location l) {
    auto vt = mlir::cast<mlir::RankedTensorType>(v.getType());
    auto lt = mlir::cast<mlir::RankedTensorType>(like.getType());
    if (vt.getShape() == lt.getShape())
      return v;
    auto type = mlir::RankedTensorType::get(lt.getShape(), vt.getElementType());
    return make<nn::BroadcastLikeOp>(l, type, {v, like});
  }

  /// The attribute of one binding of the op table, or null when the
  /// argument (and its fallback) is absent.
  mlir::Attribute attribute(const TExpr &e, const AttrBinding &a,
                            unsigned rank) {
    const Const *c = &attrOf(e, a.arg);
    if (c->isNone() && a.orArg)
      c = &attrOf(e, a.orArg);
    switch (a.form) {
    case AttrForm::F64:
      return c->isNone() ? mlir::Attribute() : b.getF64FloatAttr(c->asDouble());
    case AttrForm::I64:
      return c->isNone() ? mlir::Attribute() : b.getI64IntegerAttr(c->i);
    case AttrForm::Bool:
      return c->isNone() ? mlir::Attribute() : b.getBoolAttr(c->b);
    case AttrForm::Axis:
      return c->isNone() ? mlir::Attribute()
                         : b.getI64IntegerAttr(normAxis(c->i, rank));
    case AttrForm::SortedAxes: {
      llvm::SmallVector<int64_t> axes;
      for (const Const &x : c->list)
        axes.push_back(normAxis(x.i, rank));
      llvm::sort(axes);
      return b.getDenseI64ArrayAttr(axes);
    }
    case AttrForm::Perm: {
      llvm::SmallVector<int64_t> perm;
      if (c->isNone())
        for (unsigned i = 0; i < rank; ++i)
          perm.push_back(rank - 1 - i);
      else
        for (const Const &x : c->list)
          perm.push_back(normAxis(x.i, rank));
      return b.getDenseI64ArrayAttr(perm);
    }
    case AttrForm::Pair:
      return c->isNone() ? mlir::Attribute() : pair(*c);
    }
    return {};
  }

  /// The direct nn form of a call as the op table describes it.
  Value emitDirect(const TExpr &e, llvm::ArrayRef<Value> ops) {
    const Emission &emit = e.op->emit;
    mlir::Location l = loc(e.loc);
    unsigned rank =
        e.operands.empty() || !e.operands[0] ? 0 : e.operands[0]->type.rank();
    mlir::OperationState state(l, emit.op);
    for (size_t i = 0; i < ops.size(); ++i)
      if (ops[i])
        state.addOperands(i > 0 && emit.broadcastToFirst
                              ? broadcastTo(ops[i], ops[0], l)
                              : ops[i]);
    state.addTypes(tensorType(e.type));
    for (const AttrBinding &a : emit.attrs)
      if (mlir::Attribute value = attribute(e, a, rank))
        state.addAttribute(a.attr, value);
    return b.create(state)->getResult(0);
  }

  /// One built-in op of the language, given its operands (null for an absent
  /// optional operand): the direct form its table entry names, or the
  /// expansion it asks for.
  Value emitOp(const TExpr &e, llvm::ArrayRef<Value> ops) {
    mlir::Location l = loc(e.loc);
    mlir::Type type = tensorType(e.type);
    switch (e.op->emit.expansion) {
    case Expansion::None:
      return emitDirect(e, ops);
    case Expansion::Pow:
      // A constant exponent is an attribute; a tensor one is exp(y log x).
      if (e.operands[1]->kind == TExpr::Kind::Scalar &&
          e.operands[0]->type.shape == e.type.shape)
        return make<nn::PowOp>(
            l, type, {ops[0]},
            {attr("exponent", b.getF64FloatAttr(e.operands[1]->scalar))});
      return make<nn::ExpOp>(
          l, type,
          {make<nn::MulOp>(
              l, type,
              {ops[1], make<nn::LogOp>(l, ops[0].getType(), {ops[0]})})});
    case Expansion::Abs:
      return make<nn::MulOp>(l, type,
                             {ops[0], make<nn::SignOp>(l, type, {ops[0]})});
    case Expansion::Matmul:
      return emitMatmul(e, ops, l, type);
    case Expansion::Reshape: {
      unsigned dynamic = 0;
      for (const Dim &d : e.type.shape)
        dynamic += !d.isKnown();
      if (dynamic > 1) {
        unsupported(e, "a reshape to more than one symbolic dimension");
        return nullptr;
      }
      return emitDirect(e, ops);
    }
    case Expansion::AdaptiveAvgPool:
      return emitAdaptiveAvgPool(e, ops, l, type);
    case Expansion::BatchNorm:
      if (mode == ForwardMode::Eval)
        return emitDirect(e, ops);
      return emitBatchNorm(e, ops, l);
    case Expansion::LayerNorm:
      return emitLayerNorm(e, ops, l);
    case Expansion::Dropout:
      if (mode == ForwardMode::Eval)
        return ops[0];
      return make<nn::DropoutOp>(
          l, type, {ops[0], seedFor(e)},
          {attr("p", b.getF64FloatAttr(attrOf(e, "p").f))});
    case Expansion::Random:
      return emitRandom(e, l, type);
    case Expansion::CrossEntropy:
      // Float targets of the scores' shape are class probabilities; the
      // train block's loss (no operand expressions) compares with indices.
      if (!e.operands.empty() && e.operands[1] &&
          isFloat(e.operands[1]->type.dtype))
        return emitSoftCrossEntropy(e, ops, l);
      return emitDirect(e, ops);
    case Expansion::Slice: {
      // One axis sliced (bounds as the shape rule computed them), the
      // others whole.
      const Type &x = e.operands[0]->type;
      int64_t axis = normAxis(attrOf(e, "axis").i, x.rank());
      const Const &end = attrOf(e, "end");
      int64_t first = 0, limit = 0, length = 0;
      int64_t step = attrOf(e, "step").i;
      sliceBounds(x.shape[axis].size, attrOf(e, "start").i,
                  end.isNone() ? std::nullopt : std::optional<int64_t>(end.i),
                  step, first, limit, length);
      llvm::SmallVector<int64_t> starts(x.rank(), 0), limits(x.rank(), -1),
          strides(x.rank(), 1);
      starts[axis] = first;
      limits[axis] = limit;
      strides[axis] = step;
      return make<nn::SliceOp>(l, type, {ops[0]},
                               {attr("starts", b.getDenseI64ArrayAttr(starts)),
                                attr("limits", b.getDenseI64ArrayAttr(limits)),
                                attr("strides",
                                     b.getDenseI64ArrayAttr(strides))});
    }
    case Expansion::Pad: {
      std::vector<int64_t> pads;
      for (const Const &p : attrOf(e, "pads").list)
        pads.push_back(p.i);
      llvm::SmallVector<int64_t> before, after;
      for (auto [lo, hi] : padsPerAxis(pads, e.operands[0]->type.rank())) {
        before.push_back(lo);
        after.push_back(hi);
      }
      return make<nn::PadOp>(
          l, type, {ops[0]},
          {attr("before", b.getDenseI64ArrayAttr(before)),
           attr("after", b.getDenseI64ArrayAttr(after)),
           attr("value", b.getF64FloatAttr(attrOf(e, "value").asDouble()))});
    }
    case Expansion::Upsample: {
      if (attrOf(e, "mode").s == "nearest")
        return emitDirect(e, ops);
      return make<nn::UpsampleBilinear2DOp>(
          l, type, {ops[0]},
          {attr("scale", b.getI64IntegerAttr(attrOf(e, "scale").i))});
    }
    case Expansion::Stack: {
      // Each tensor gets a unit axis at `axis`; then they are concatenated
      // along it.
      int64_t axis = normAxis(attrOf(e, "axis").i, e.type.rank());
      unsigned dynamic = 0;
      for (const Dim &d : e.type.shape)
        dynamic += !d.isKnown();
      if (dynamic > 1) {
        unsupported(e, "stacking tensors with more than one symbolic "
                       "dimension");
        return nullptr;
      }
      llvm::SmallVector<Value> parts;
      for (size_t i = 0; i < ops.size(); ++i) {
        Type t = e.operands[i]->type;
        t.shape.insert(t.shape.begin() + axis, Dim::known(1));
        parts.push_back(make<nn::ReshapeOp>(l, tensorType(t), {ops[i]}));
      }
      return make<nn::ConcatOp>(l, type, parts,
                                {attr("axis", b.getI64IntegerAttr(axis))});
    }
    case Expansion::Attention:
      return emitAttention(e, ops, l, type);
    case Expansion::NotYet:
      unsupported(e, e.op->emit.notYet);
      return nullptr;
    }
    return nullptr;
  }

  /// softmax(q k^T / sqrt(D) + mask) v, as PyTorch's
  /// F.scaled_dot_product_attention: with `causal`, a [T, S] constant that is
  /// -inf where key j > query i (0 elsewhere) is added before the softmax.
  Value emitAttention(const TExpr &e, llvm::ArrayRef<Value> ops,
                      mlir::Location l, mlir::Type type) {
    auto qt = mlir::cast<mlir::RankedTensorType>(ops[0].getType());
    auto kt = mlir::cast<mlir::RankedTensorType>(ops[1].getType());
    int64_t r = qt.getRank();
    mlir::Type elem = qt.getElementType();
    llvm::SmallVector<int64_t> perm, ktShape(kt.getShape());
    for (int64_t i = 0; i < r; ++i)
      perm.push_back(i);
    std::swap(perm[r - 1], perm[r - 2]);
    std::swap(ktShape[r - 1], ktShape[r - 2]);
    Value kT = make<nn::TransposeOp>(
        l, mlir::RankedTensorType::get(ktShape, elem), {ops[1]},
        {attr("perm", b.getDenseI64ArrayAttr(perm))});
    int64_t t = qt.getShape()[r - 2], s = kt.getShape()[r - 2];
    llvm::SmallVector<int64_t> scoreShape(qt.getShape());
    scoreShape.back() = s;
    auto st = mlir::RankedTensorType::get(scoreShape, elem);
    Value scores = make<nn::MatmulOp>(l, st, {ops[0], kT});
    double d = double(qt.getShape()[r - 1]);
    scores = make<nn::MulOp>(
        l, st, {scores, scalarConst(l, 1.0 / std::sqrt(d), elem)});
    if (attrOf(e, "causal").b) {
      auto mt = mlir::RankedTensorType::get({t, s}, elem);
      std::vector<float> mask(size_t(t * s), 0.0f);
      for (int64_t i = 0; i < t; ++i)
        for (int64_t j = i + 1; j < s; ++j)
          mask[size_t(i * s + j)] = -std::numeric_limits<float>::infinity();
      Value m = make<nn::ConstantOp>(
          l, mt, {},
          {attr("value", mlir::DenseElementsAttr::get(
                             mt, llvm::ArrayRef<float>(mask)))});
      scores = make<nn::AddOp>(l, st, {scores, m});
    }
    Value p = make<nn::SoftmaxOp>(l, st, {scores},
                                  {attr("axis", b.getI64IntegerAttr(r - 1))});
    return make<nn::MatmulOp>(l, type, {p, ops[2]});
  }

  /// nn.matmul is at least 2-D: a vector operand becomes a 1-row or 1-column
  /// matrix, and the result is reshaped back.
  Value emitMatmul(const TExpr &e, llvm::ArrayRef<Value> ops, mlir::Location l,
                   mlir::Type type) {
    auto lt = mlir::cast<mlir::RankedTensorType>(ops[0].getType());
    auto rt = mlir::cast<mlir::RankedTensorType>(ops[1].getType());
    if (lt.getRank() >= 2 && rt.getRank() >= 2)
      return emitDirect(e, ops);
    Value lhs = ops[0], rhs = ops[1];
    if (lt.getRank() == 1)
      lhs = make<nn::ReshapeOp>(l,
                                mlir::RankedTensorType::get(
                                    {1, lt.getShape()[0]}, lt.getElementType()),
                                {lhs});
    if (rt.getRank() == 1)
      rhs = make<nn::ReshapeOp>(l,
                                mlir::RankedTensorType::get(
                                    {rt.getShape()[0], 1}, rt.getElementType()),
                                {rhs});
    auto l2 = mlir::cast<mlir::RankedTensorType>(lhs.getType());
    auto r2 = mlir::cast<mlir::RankedTensorType>(rhs.getType());
    llvm::SmallVector<int64_t> batch(l2.getShape().drop_back(2));
    if (r2.getRank() > l2.getRank())
      batch.assign(r2.getShape().begin(), r2.getShape().end() - 2);
    batch.push_back(l2.getShape()[l2.getRank() - 2]);
    batch.push_back(r2.getShape().back());
    auto mmType = mlir::RankedTensorType::get(batch, lt.getElementType());
    Value mm = make<nn::MatmulOp>(l, mmType, {lhs, rhs});
    return make<nn::ReshapeOp>(l, type, {mm});
  }

  /// Average pooling whose kernel and stride are the input size over the
  /// output size (which must divide it).
  Value emitAdaptiveAvgPool(const TExpr &e, llvm::ArrayRef<Value> ops,
                            mlir::Location l, mlir::Type type) {
    const Type &in = e.operands[0]->type;
    const Const &size = attrOf(e, "size");
    if (in.shape[2].size % size.list[0].i ||
        in.shape[3].size % size.list[1].i) {
      unsupported(e,
                  "adaptive pooling to a size that does not divide the input");
      return nullptr;
    }
    auto k = b.getDenseI64ArrayAttr(
        {in.shape[2].size / size.list[0].i, in.shape[3].size / size.list[1].i});
    return make<nn::AvgPool2DOp>(
        l, type, {ops[0]},
        {attr("kernel", k), attr("stride", k),
         attr("padding", b.getDenseI64ArrayAttr({0, 0}))});
  }

  /// Training form: batch statistics, plus the running-statistic updates
  /// new = (1 - m) * old + m * batch (the variance unbiased by M / (M - 1)).
  Value emitBatchNorm(const TExpr &e, llvm::ArrayRef<Value> ops,
                      mlir::Location l) {
    auto xt = mlir::cast<mlir::RankedTensorType>(ops[0].getType());
    auto ct = mlir::cast<mlir::RankedTensorType>(ops[1].getType());
    mlir::Type elem = xt.getElementType();
    double eps = attrOf(e, "eps").f, m = attrOf(e, "momentum").f;
    auto bn = b.create<nn::BatchNormTrainOp>(
        l, mlir::TypeRange{xt, ct, ct},
        mlir::ValueRange{ops[0], ops[1], ops[2]},
        llvm::ArrayRef<mlir::NamedAttribute>{
            attr("epsilon", b.getF64FloatAttr(eps))});
    llvm::SmallVector<int64_t> axes = {0};
    for (int64_t i = 2; i < xt.getRank(); ++i)
      axes.push_back(i);
    auto scalar = mlir::RankedTensorType::get({}, elem);
    Value count = make<nn::CountOp>(
        l, scalar, {ops[0]}, {attr("axes", b.getDenseI64ArrayAttr(axes))});
    // One value per channel (a last batch of one sample without spatial
    // dimensions) has no unbiased variance: PyTorch refuses it, the trainer
    // must not write NaN into running_var. Such a batch leaves the running
    // statistics as they are: with s = sign(M - 1) (0 or 1),
    // new = s * update + (1 - s) * old, and the correction M / (M - 1 + 1 - s)
    // stays finite. For M > 1 the values are exactly those of the plain
    // update.
    Value one = scalarConst(l, 1.0, elem);
    Value countM1 = make<nn::SubOp>(l, scalar, {count, one});
    Value several = make<nn::SignOp>(l, scalar, {countM1});
    Value single = make<nn::SubOp>(l, scalar, {one, several});
    Value unbias = make<nn::DivOp>(
        l, scalar, {count, make<nn::AddOp>(l, scalar, {countM1, single})});
    Value keep = scalarConst(l, 1.0 - m, elem), mom = scalarConst(l, m, elem);
    auto update = [&](Value old, Value batch) {
      Value a = make<nn::MulOp>(l, ct, {old, keep});
      Value c = make<nn::MulOp>(l, ct, {batch, mom});
      Value updated = make<nn::AddOp>(l, ct, {a, c});
      return make<nn::AddOp>(l, ct,
                             {make<nn::MulOp>(l, ct, {updated, several}),
                              make<nn::MulOp>(l, ct, {old, single})});
    };
    Value var = make<nn::MulOp>(l, ct, {bn->getResult(2), unbias});
    const ParamInfo *meanBuf = e.operands[3]->param,
                    *varBuf = e.operands[4]->param;
    if (!meanBuf || !varBuf) {
      unsupported(
          e, "batch normalization whose running statistics are not buffers");
      return nullptr;
    }
    // In an explicit step a statement's value is computed by each update
    // that needs it; its running statistics move once, in the first.
    Site site{modelCall, &e};
    if (stepMode && appliedStats.count(site))
      return bn->getResult(0);
    if (stepMode)
      emittedStats.insert(site);
    // A later call of the same layer (a model called twice in a step)
    // continues from these statistics.
    Value newMean = update(ops[3], bn->getResult(1));
    Value newVar = update(ops[4], var);
    setBufferUpdate(meanBuf, newMean);
    setBufferUpdate(varBuf, newVar);
    return bn->getResult(0);
  }

  /// (x - mean) / sqrt(var + eps) * gamma + beta over the last dimension.
  Value emitLayerNorm(const TExpr &e, llvm::ArrayRef<Value> ops,
                      mlir::Location l) {
    auto xt = mlir::cast<mlir::RankedTensorType>(ops[0].getType());
    mlir::Type elem = xt.getElementType();
    llvm::SmallVector<int64_t> reducedShape(xt.getShape());
    reducedShape.back() = 1;
    auto rt = mlir::RankedTensorType::get(reducedShape, elem);
    llvm::SmallVector<mlir::NamedAttribute> lastAxis = {
        attr("axes", b.getDenseI64ArrayAttr({xt.getRank() - 1})),
        attr("keepdims", b.getBoolAttr(true))};
    Value mean = make<nn::MeanOp>(l, rt, {ops[0]}, lastAxis);
    Value centred = make<nn::SubOp>(l, xt, {ops[0], mean});
    Value sq = make<nn::MulOp>(l, xt, {centred, centred});
    Value var = make<nn::MeanOp>(l, rt, {sq}, lastAxis);
    Value eps = scalarConst(l, attrOf(e, "eps").f, elem);
    Value std = make<nn::SqrtOp>(l, rt, {make<nn::AddOp>(l, rt, {var, eps})});
    Value norm = make<nn::DivOp>(l, xt, {centred, std});
    return make<nn::AddOp>(l, xt,
                           {make<nn::MulOp>(l, xt, {norm, ops[1]}), ops[2]});
  }

  /// -mean over the batch of sum_c target * log_softmax(x).
  Value emitSoftCrossEntropy(const TExpr &e, llvm::ArrayRef<Value> ops,
                             mlir::Location l) {
    if (ops.size() > 2 && ops[2]) {
      unsupported(e, "class weights with class-probability targets");
      return nullptr;
    }
    auto xt = mlir::cast<mlir::RankedTensorType>(ops[0].getType());
    auto scalar = mlir::RankedTensorType::get({}, xt.getElementType());
    auto rowT =
        mlir::RankedTensorType::get({xt.getShape()[0]}, xt.getElementType());
    Value logp = make<nn::LogSoftmaxOp>(l, xt, {ops[0]},
                                        {attr("axis", b.getI64IntegerAttr(1))});
    Value prod = make<nn::MulOp>(l, xt, {ops[1], logp});
    Value rows = make<nn::SumOp>(l, rowT, {prod},
                                 {attr("axes", b.getDenseI64ArrayAttr({1})),
                                  attr("keepdims", b.getBoolAttr(false))});
    Value mean = make<nn::MeanOp>(l, scalar, {rows},
                                  {attr("axes", b.getDenseI64ArrayAttr({})),
                                   attr("keepdims", b.getBoolAttr(false))});
    return make<nn::NegOp>(l, scalar, {mean});
  }

  /// Records the new value of a buffer; a later use of the buffer in the
  /// function reads it.
  void setBufferUpdate(const ParamInfo *p, Value v) {
    params[p] = v;
    for (auto &u : bufferUpdates)
      if (u.first == p) {
        u.second = v;
        return;
      }
    bufferUpdates.emplace_back(p, v);
  }

  /// The seed of a dropout or random site. In an explicit step a site is a
  /// node in the body of one model call (or of the step); its seed argument
  /// is named after it, so that every function of the step that computes it
  /// draws the same numbers.
  Value seedFor(const TExpr &e) {
    if (!stepMode)
      return seeds[nextSeed++];
    Site site{modelCall, &e};
    auto [it, inserted] = siteIds.emplace(site, siteIds.size());
    std::string name = "site_" + std::to_string(it->second);
    auto known = stepSeeds.find(name);
    if (known != stepSeeds.end())
      return known->second;
    mlir::Block &entry = stepFunc.front();
    unsigned index = entry.getNumArguments();
    auto seedType = mlir::RankedTensorType::get({}, b.getI64Type());
    (void)stepFunc.insertArgument(
        index, seedType,
        b.getDictionaryAttr({attr("nn.seed", b.getStringAttr(name))}),
        stepFunc.getLoc());
    Value v = entry.getArgument(index);
    stepSeeds[name] = v;
    return v;
  }

  /// `normal(shape)` / `uniform(shape)`: a counter-based fill whose symbolic
  /// dimensions are the batch of the function's first input.
  Value emitRandom(const TExpr &e, mlir::Location l, mlir::Type type) {
    Value seed = seedFor(e);
    llvm::SmallVector<Value> operands = {seed};
    if (!mlir::cast<mlir::RankedTensorType>(type).hasStaticShape()) {
      auto ref = batchRef ? mlir::dyn_cast<mlir::RankedTensorType>(
                                batchRef.getType())
                          : mlir::RankedTensorType();
      if (!ref || ref.getRank() < 1 || !ref.isDynamicDim(0)) {
        unsupported(e, "a random tensor with a symbolic dimension where no "
                       "input has the batch dimension");
        return nullptr;
      }
      operands.push_back(batchRef);
    }
    if (e.name == "normal")
      return make<nn::InitNormalOp>(
          l, type, operands,
          {attr("mean", b.getF64FloatAttr(attrOf(e, "mean").asDouble())),
           attr("std", b.getF64FloatAttr(attrOf(e, "std").asDouble()))});
    return make<nn::InitUniformOp>(
        l, type, operands,
        {attr("low", b.getF64FloatAttr(attrOf(e, "low").asDouble())),
         attr("high", b.getF64FloatAttr(attrOf(e, "high").asDouble()))});
  }

  //--- Explicit train steps ---------------------------------------------------
  //
  // A train block with a `step` becomes, for each `update M with OPT
  // minimizing LOSS` (k = 0, 1, ...), a function `@T_u<k>_loss` that computes
  // the statements before it and returns LOSS: its arguments are the step's
  // inputs (and labels), the parameters of every model the step calls
  // ("M.fc1.w"; those of M as nn.param, the others as nn.buffer) and one seed
  // per random site; it carries `nn.optimizer` and `nn.update` (the model
  // and the loss's name). nn-autodiff differentiates each, and
  // nn-build-train-step chains them into `@T_train_step`, each update seeing
  // the parameters the earlier ones wrote. `@T_eval_step` computes every
  // loss in inference mode. T is the model the train block names.

  /// The models a step calls, in order of first call.
  static void collectModels(const Program &p, const TExpr &e,
                            std::vector<const Model *> &out) {
    for (auto &o : e.operands)
      if (o)
        collectModels(p, *o, out);
    if (e.kind == TExpr::Kind::Model)
      if (const Model *m = p.findModel(e.name))
        if (!llvm::is_contained(out, m))
          out.push_back(m);
  }

  /// The name a step's loss is logged under: the variable it is, else
  /// "<model>_loss" (numbered when a model is updated twice).
  static std::string lossName(const TrainConfig &t, size_t k) {
    const TStmt &u = *updateAt(t, k);
    if (u.value->kind == TExpr::Kind::Local)
      return u.value->name;
    unsigned same = 0, before = 0;
    for (size_t j = 0;; ++j) {
      const TStmt *o = updateAt(t, j);
      if (!o)
        break;
      if (o->model == u.model) {
        before += j < k;
        ++same;
      }
    }
    return u.model + "_loss" + (same > 1 ? std::to_string(before) : "");
  }
  static const TStmt *updateAt(const TrainConfig &t, size_t k) {
    for (const TStmt &s : t.step)
      if (s.kind == TStmt::Kind::Update && k-- == 0)
        return &s;
    return nullptr;
  }

  /// Creates the function `name` of an explicit step: inputs (and labels),
  /// every parameter of `models` (nn.param where `trained` says so), seeds
  /// added on demand. Leaves the builder in its body.
  void beginStepFunction(const std::string &name, const TrainConfig &t,
                         const std::vector<const Model *> &models,
                         const std::function<bool(const Model *,
                                                  const ParamInfo *)> &trained,
                         Frame &frame) {
    static const Const none;
    const Const *data = t.get("data");
    DataSignature sig = dataSignature(data ? *data : none);
    llvm::SmallVector<mlir::Type> argTypes;
    llvm::SmallVector<mlir::DictionaryAttr> argAttrs;
    auto batched = [&](const Type &sample) {
      Shape shape = {Dim::symbol("B")};
      shape.insert(shape.end(), sample.shape.begin(), sample.shape.end());
      return tensorType(Type::tensor(sample.dtype, shape));
    };
    argTypes.push_back(batched(sig.sample));
    argAttrs.push_back(b.getDictionaryAttr({}));
    bool labels = t.stepVars.size() > 1 && t.stepVars[1].first != "_";
    if (labels) {
      argTypes.push_back(batched(sig.label));
      argAttrs.push_back(
          b.getDictionaryAttr({attr("nn.labels", b.getUnitAttr())}));
    }
    std::vector<const ParamInfo *> order;
    for (const Model *m : models)
      for (auto &p : m->params) {
        argTypes.push_back(tensorType(p->type));
        argAttrs.push_back(b.getDictionaryAttr(
            {attr(trained(m, p.get()) ? nn::NNDialect::kParamAttrName
                                      : "nn.buffer",
                  b.getStringAttr(m->name + "." + p->name))}));
        order.push_back(p.get());
      }
    b.setInsertionPointToEnd(module.getBody());
    stepFunc = b.create<mlir::func::FuncOp>(
        loc(t.loc), name, b.getFunctionType(argTypes, {}));
    stepFunc.setAllArgAttrs(argAttrs);
    mlir::Block *entry = stepFunc.addEntryBlock();
    b.setInsertionPointToStart(entry);
    frame.inputs = {entry->getArgument(0)};
    if (labels)
      frame.inputs.push_back(entry->getArgument(1));
    params.clear();
    for (size_t i = 0; i < order.size(); ++i)
      params[order[i]] = entry->getArgument(1 + labels + i);
    batchRef = entry->getArgument(0);
    stepSeeds.clear();
    bufferUpdates.clear();
    locals.clear();
    emittedStats.clear();
  }

  /// Emits the step's statements before `end` (assignments; updates are
  /// the train step's).
  bool emitStepStatements(const TrainConfig &t, const TStmt *end,
                          Frame &frame) {
    for (const TStmt &s : t.step) {
      if (&s == end)
        break;
      if (s.kind != TStmt::Kind::Assign)
        continue;
      Value v = emitExpr(*s.value, frame);
      if (!v)
        return false;
      locals[s.value.get()] = v;
    }
    return true;
  }

  /// Ends the function being built: returns `results` (named by
  /// `resultAttrs`) and the buffer updates.
  void endStepFunction(llvm::SmallVector<Value> results,
                       llvm::SmallVector<mlir::DictionaryAttr> resultAttrs,
                       const std::map<const ParamInfo *, std::string> &keys) {
    for (auto &u : bufferUpdates) {
      results.push_back(u.second);
      resultAttrs.push_back(b.getDictionaryAttr({attr(
          "nn.buffer_update", b.getStringAttr(keys.at(u.first)))}));
    }
    b.create<mlir::func::ReturnOp>(stepFunc.getLoc(), results);
    stepFunc.setType(b.getFunctionType(
        stepFunc.getArgumentTypes(), mlir::ValueRange(results).getTypes()));
    stepFunc.setAllResultAttrs(resultAttrs);
  }

  void emitStepTrainer(const TrainConfig &t) {
    const std::string &name = t.model->name;
    std::vector<const Model *> models;
    for (const TStmt &s : t.step)
      collectModels(*prog, *s.value, models);
    std::map<const ParamInfo *, std::string> keys;
    for (const Model *m : models)
      for (auto &p : m->params)
        keys[p.get()] = m->name + "." + p->name;
    stepMode = true;
    siteIds.clear();
    appliedStats.clear();
    llvm::SmallVector<mlir::Attribute> updateRows;
    size_t k = 0;
    for (const TStmt &u : t.step) {
      if (u.kind != TStmt::Kind::Update)
        continue;
      const Model *target = prog->findModel(u.model);
      if (!llvm::is_contained(models, target)) {
        diags.error(u.loc, "'update " + u.model + "' minimizes a loss that "
                           "does not call model '" + u.model + "'");
        failed = true;
        return;
      }
      mode = ForwardMode::Train;
      Frame frame;
      beginStepFunction(name + "_u" + std::to_string(k) + "_loss", t, models,
                        [&](const Model *m, const ParamInfo *p) {
                          return m == target && p->trainable &&
                                 !t.freezes(m->name + "." + p->name);
                        },
                        frame);
      if (!emitStepStatements(t, &u, frame)) {
        failed = true;
        stepFunc.erase();
        return;
      }
      Value loss = emitExpr(*u.value, frame);
      if (!loss) {
        failed = true;
        stepFunc.erase();
        return;
      }
      endStepFunction({loss}, {b.getDictionaryAttr({})}, keys);
      TrainConfig single;
      single.settings.emplace_back("optimizer", u.optimizer);
      for (const char *key : {"grad_clip", "l1"})
        if (const Const *c = t.get(key))
          single.settings.emplace_back(key, *c);
      stepFunc->setAttr("nn.optimizer", optimizerAttr(single));
      std::string lname = lossName(t, k);
      stepFunc->setAttr("nn.update",
                        b.getDictionaryAttr(
                            {attr("model", b.getStringAttr(u.model)),
                             attr("loss", b.getStringAttr(lname))}));
      updateRows.push_back(b.getDictionaryAttr(
          {attr("model", b.getStringAttr(u.model)),
           attr("loss", b.getStringAttr(lname)),
           attr("optimizer", constAttr(u.optimizer))}));
      appliedStats.insert(emittedStats.begin(), emittedStats.end());
      ++k;
    }

    // The eval step: every loss, in inference mode, no update.
    mode = ForwardMode::Eval;
    Frame frame;
    beginStepFunction(name + "_eval_step", t, models,
                      [](const Model *, const ParamInfo *p) {
                        return p->trainable;
                      },
                      frame);
    if (!emitStepStatements(t, nullptr, frame)) {
      failed = true;
      stepFunc.erase();
      return;
    }
    llvm::SmallVector<Value> losses;
    for (const TStmt &u : t.step)
      if (u.kind == TStmt::Kind::Update) {
        Value v = emitExpr(*u.value, frame);
        if (!v) {
          failed = true;
          stepFunc.erase();
          return;
        }
        losses.push_back(v);
      }
    llvm::SmallVector<Value> results = {losses[0]};
    llvm::SmallVector<mlir::DictionaryAttr> resultAttrs = {
        b.getDictionaryAttr({attr("nn.loss", b.getUnitAttr())})};
    for (size_t i = 0; i < losses.size(); ++i) {
      results.push_back(losses[i]);
      resultAttrs.push_back(b.getDictionaryAttr(
          {attr("nn.step_loss", b.getI64IntegerAttr(i))}));
    }
    // `show`: the values drawn as images, flattened per sample and
    // concatenated, as the step's outputs.
    if (!t.show.empty()) {
      llvm::SmallVector<Value> flat;
      int64_t total = 0;
      for (const TrainConfig::Shown &sh : t.show) {
        Value v = sh.ref == TExpr::Kind::Input ? frame.inputs[sh.index]
                                               : locals.at(sh.def);
        int64_t per = 1;
        for (size_t d = 1; d < sh.type.shape.size(); ++d)
          per *= sh.type.shape[d].size;
        total += per;
        auto type = mlir::RankedTensorType::get(
            {mlir::ShapedType::kDynamic, per}, b.getF32Type());
        flat.push_back(make<nn::ReshapeOp>(loc(t.loc), type, {v}));
      }
      Value shown = flat[0];
      if (flat.size() > 1)
        shown = make<nn::ConcatOp>(
            loc(t.loc),
            mlir::RankedTensorType::get({mlir::ShapedType::kDynamic, total},
                                        b.getF32Type()),
            flat, {attr("axis", b.getI64IntegerAttr(1))});
      results.push_back(shown);
      resultAttrs.push_back(
          b.getDictionaryAttr({attr("nn.logits", b.getUnitAttr())}));
    }
    // Buffer updates of an eval function are not results.
    bufferUpdates.clear();
    endStepFunction(results, resultAttrs, keys);
    stepMode = false;

    layerRows.clear();
    mlir::DictionaryAttr recipe = trainAttr(*t.model, t);
    mlir::NamedAttrList entries(recipe);
    llvm::SmallVector<mlir::NamedAttribute> inits;
    for (const Model *m : models)
      for (auto &p : m->params)
        inits.push_back(attr(keys[p.get()], constAttr(p->init)));
    entries.set("params", b.getDictionaryAttr(inits));
    entries.set("updates", b.getArrayAttr(updateRows));
    if (!t.show.empty()) {
      // The grid: one row of samples per shown value; each sample
      // [C, H, W] (C = 1 for [B, H, W]).
      const Type &first = t.show[0].type;
      int64_t c = first.rank() == 4 ? first.shape[1].size : 1;
      llvm::SmallVector<mlir::Attribute> names;
      for (const TrainConfig::Shown &sh : t.show)
        names.push_back(b.getStringAttr(sh.name));
      entries.set("show", b.getDictionaryAttr(
                              {attr("names", b.getArrayAttr(names)),
                               attr("channels", b.getI64IntegerAttr(c)),
                               attr("height", b.getI64IntegerAttr(
                                                  first.shape[first.rank() - 2]
                                                      .size)),
                               attr("width", b.getI64IntegerAttr(
                                                 first.shape.back().size))}));
    }
    llvm::SmallVector<mlir::Attribute> frozen;
    for (const Model *m : models)
      for (auto &p : m->params)
        if (p->trainable && t.freezes(keys[p.get()]))
          frozen.push_back(b.getStringAttr(keys[p.get()]));
    if (frozen.empty())
      entries.erase("frozen");
    else
      entries.set("frozen", b.getArrayAttr(frozen));
    recipes.push_back(entries.getDictionary(&ctx));
  }

  /// A dropout, random or batch-norm node in the body of one model call (or
  /// of the step itself: null call).
  using Site = std::pair<const TExpr *, const TExpr *>;
  const Program *prog = nullptr;
  bool stepMode = false;
  mlir::func::FuncOp stepFunc;
  const TExpr *modelCall = nullptr;
  std::map<Site, size_t> siteIds;
  std::map<std::string, Value> stepSeeds;
  std::set<Site> appliedStats, emittedStats;
  /// The first input of the function being emitted: random fills take their
  /// batch from it.
  Value batchRef;

  mlir::MLIRContext &ctx;
  mlir::OpBuilder b;
  DiagnosticEngine &diags;
  mlir::ModuleOp module;
  bool failed = false;
  ForwardMode mode = ForwardMode::Train;
  std::map<const ParamInfo *, Value> params;
  /// The results of each layer call that returns a tuple.
  std::map<const TExpr *, llvm::SmallVector<Value>> tupleResults;
  std::map<const TExpr *, Value> locals;
  std::vector<Value> seeds;
  unsigned nextSeed = 0;
  std::vector<std::pair<const ParamInfo *, Value>> bufferUpdates;
  /// The layer table of the function being emitted, when it is `@M_loss`.
  bool recordingLayers = false;
  llvm::SmallVector<mlir::Attribute> layerRows;
  std::map<std::string, int> opCounts;
  /// The recipes of the train blocks, for the module's `nn.train`.
  llvm::SmallVector<mlir::Attribute> recipes;
};

} // namespace

mlir::OwningOpRef<mlir::ModuleOp> dlc::generateMLIR(mlir::MLIRContext &context,
                                                    const Program &program,
                                                    DiagnosticEngine &diags) {
  context.getOrLoadDialect<nn::NNDialect>();
  context.getOrLoadDialect<mlir::func::FuncDialect>();
  return Generator(context, diags).run(program);
}
