//===- DriverGen.cpp - The driver of a trainer in the LLVM dialect
//---------===//
//
// Builds the driver module: for each step, a function `int32_t
// dlc_<step>(dlrt_step_args *)` that fetches its tensors from the argument
// block and the workspace, wraps each in a halide_buffer_t (filled by
// libdlrt's dlrt_make_buffer), calls the kernels in order, copies new
// values into place and stores the loss; plus the static `dlrt_model_desc`
// and `main`. Field offsets of the runtime's C structs come from the runtime
// header itself (offsetof), so the driver and libdlrt agree by construction.
//
//===----------------------------------------------------------------------===//
#include "dlc/Target/Driver.h"

#include "dlrt/dlrt.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

#include <cstddef>
#include <functional>
#include <map>

using namespace dlc;
using namespace dlc::target;
namespace LLVM = mlir::LLVM;
using mlir::Value;

namespace {

/// Size of halide_buffer_t and halide_dimension_t on 64-bit targets (checked
/// against HalideRuntime.h in libdlrt's KernelGlue.cpp).
constexpr int64_t kHalideBufferBytes = 56;
constexpr int64_t kHalideDimBytes = 16;

/// Builds a value of a C struct as an LLVM packed struct whose fields sit at
/// the C offsets, with zero bytes in between.
class StructBuilder {
public:
  StructBuilder(mlir::OpBuilder &b, mlir::Location loc, uint64_t size)
      : b(b), loc(loc), size(size) {}

  void add(uint64_t offset, Value v) { fields[offset] = v; }

  Value build() {
    auto i8 = b.getI8Type();
    llvm::SmallVector<mlir::Type> types;
    llvm::SmallVector<Value> values;
    uint64_t at = 0;
    auto pad = [&](uint64_t n) {
      if (!n)
        return;
      auto t = LLVM::LLVMArrayType::get(i8, n);
      types.push_back(t);
      values.push_back(b.create<LLVM::ZeroOp>(loc, t));
    };
    for (auto &[offset, v] : fields) {
      assert(offset >= at && "overlapping fields");
      pad(offset - at);
      types.push_back(v.getType());
      values.push_back(v);
      at = offset + byteSize(v.getType());
    }
    pad(size - at);
    auto st = LLVM::LLVMStructType::getLiteral(b.getContext(), types,
                                               /*isPacked=*/true);
    Value s = b.create<LLVM::UndefOp>(loc, st);
    for (size_t i = 0; i < values.size(); ++i)
      s = b.create<LLVM::InsertValueOp>(loc, s, values[i], i);
    return s;
  }

  static uint64_t byteSize(mlir::Type t) {
    if (auto i = mlir::dyn_cast<mlir::IntegerType>(t))
      return i.getWidth() / 8;
    if (t.isF32())
      return 4;
    if (t.isF64())
      return 8;
    if (mlir::isa<LLVM::LLVMPointerType>(t))
      return 8;
    if (auto a = mlir::dyn_cast<LLVM::LLVMArrayType>(t))
      return a.getNumElements() * byteSize(a.getElementType());
    if (auto s = mlir::dyn_cast<LLVM::LLVMStructType>(t)) {
      uint64_t n = 0;
      for (mlir::Type e : s.getBody())
        n += byteSize(e);
      return n;
    }
    llvm_unreachable("unexpected type in a descriptor");
  }

private:
  mlir::OpBuilder &b;
  mlir::Location loc;
  uint64_t size;
  std::map<uint64_t, Value> fields;
};

class DriverBuilder {
public:
  DriverBuilder(mlir::MLIRContext &ctx)
      : ctx(ctx), b(&ctx), loc(b.getUnknownLoc()) {
    ptr = LLVM::LLVMPointerType::get(&ctx);
    i8 = b.getI8Type();
    i32 = b.getI32Type();
    i64 = b.getI64Type();
    f32 = b.getF32Type();
    f64 = b.getF64Type();
  }

  mlir::OwningOpRef<mlir::ModuleOp> run(const ModelDesc &desc,
                                        const StepPlan &train,
                                        const StepPlan &eval,
                                        llvm::ArrayRef<OptionalStep> optional) {
    module = mlir::ModuleOp::create(loc);
    b.setInsertionPointToEnd(module->getBody());
    declare(desc.mpi ? "dlrt_mpi_main" : "dlrt_main", i32, {i32, ptr, ptr});
    mainEntry = desc.mpi ? "dlrt_mpi_main" : "dlrt_main";
    declare("dlrt_make_buffer", LLVM::LLVMVoidType::get(&ctx),
            {ptr, ptr, ptr, i32, i32, i32, ptr, i64});
    declare("memcpy", ptr, {ptr, ptr, i64});
    declare("halide_set_num_threads", i32, {i32});
    labelKind = desc.labelKind;
    buildStep("dlc_train_step", train);
    buildStep("dlc_eval_step", eval);
    for (const OptionalStep &o : optional)
      buildStep(o.symbol, *o.plan);
    optionalSteps.assign(optional.begin(), optional.end());
    buildSetThreads();
    buildDescriptor(desc);
    buildMain();
    return std::move(module);
  }

private:
  /// The steps read class labels from dlrt_step_args::y and float targets
  /// from ::targets.
  int32_t labelKind = DLRT_LABEL_CLASS;

  //--- Declarations and constants -------------------------------------------
  LLVM::LLVMFuncOp declare(llvm::StringRef name, mlir::Type result,
                           llvm::ArrayRef<mlir::Type> args) {
    // By name in a map: a step calls thousands of kernels, and a symbol
    // lookup in the module is a scan of every global and function in it.
    LLVM::LLVMFuncOp &f = declared[name];
    if (f)
      return f;
    mlir::OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(module->getBody());
    f = b.create<LLVM::LLVMFuncOp>(loc, name,
                                   LLVM::LLVMFunctionType::get(result, args));
    return f;
  }
  llvm::StringMap<LLVM::LLVMFuncOp> declared;
  Value cst(mlir::Type t, int64_t v) {
    return b.create<LLVM::ConstantOp>(loc, t, b.getIntegerAttr(t, v));
  }
  Value cstF(mlir::Type t, double v) {
    return b.create<LLVM::ConstantOp>(loc, t, b.getFloatAttr(t, v));
  }
  /// A private constant global; returns its address at the insertion point.
  Value globalConst(mlir::Type type, mlir::Attribute value,
                    llvm::StringRef prefix) {
    std::string name = (prefix + "_" + llvm::Twine(counter++)).str();
    {
      mlir::OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(module->getBody());
      b.create<LLVM::GlobalOp>(loc, type, /*isConstant=*/true,
                               LLVM::Linkage::Private, name, value);
    }
    return b.create<LLVM::AddressOfOp>(loc, ptr, name);
  }
  Value string(llvm::StringRef s) {
    std::string z = s.str();
    z.push_back('\0');
    auto type = LLVM::LLVMArrayType::get(i8, z.size());
    return globalConst(type, b.getStringAttr(z), "str");
  }
  Value i64Array(llvm::ArrayRef<int64_t> values) {
    if (values.empty())
      return b.create<LLVM::ZeroOp>(loc, ptr);
    auto type = LLVM::LLVMArrayType::get(i64, values.size());
    return globalConst(type, b.getI64TensorAttr(values), "shape");
  }

  //--- Step functions
  //-------------------------------------------------------------
  Value field(Value args, size_t offset, mlir::Type type) {
    Value p = b.create<LLVM::GEPOp>(
        loc, ptr, i8, args, llvm::ArrayRef<LLVM::GEPArg>{int32_t(offset)});
    return b.create<LLVM::LoadOp>(loc, type, p);
  }
  Value arrayElem(Value array, int64_t index) {
    Value p = b.create<LLVM::GEPOp>(
        loc, ptr, ptr, array, llvm::ArrayRef<LLVM::GEPArg>{int32_t(index)});
    return b.create<LLVM::LoadOp>(loc, ptr, p);
  }

  Value hostPointer(Value args, const TensorRef &t) {
    switch (t.source) {
    case TensorRef::Source::Input:
      // Integer inputs (token ids) have a field of their own.
      return t.typeCode == 'f'
                 ? field(args, offsetof(dlrt_step_args, x), ptr)
                 : field(args, offsetof(dlrt_step_args, x_ids), ptr);
    case TensorRef::Source::Labels:
      return labelKind == DLRT_LABEL_FLOAT || labelKind == DLRT_LABEL_INPUT_MASK
                 ? field(args, offsetof(dlrt_step_args, targets), ptr)
                 : field(args, offsetof(dlrt_step_args, y), ptr);
    case TensorRef::Source::Param:
      return arrayElem(field(args, offsetof(dlrt_step_args, params), ptr),
                       t.index);
    case TensorRef::Source::Grad:
      return arrayElem(field(args, offsetof(dlrt_step_args, grads), ptr),
                       t.index);
    case TensorRef::Source::OptState:
      return arrayElem(field(args, offsetof(dlrt_step_args, opt_state), ptr),
                       t.index);
    case TensorRef::Source::Logits:
      return field(args, offsetof(dlrt_step_args, logits), ptr);
    case TensorRef::Source::InputGrad:
      return field(args, offsetof(dlrt_step_args, input_grad), ptr);
    case TensorRef::Source::Workspace: {
      Value ws = field(args, offsetof(dlrt_step_args, workspace), ptr);
      Value batch = field(args, offsetof(dlrt_step_args, batch), i64);
      Value off = b.create<LLVM::AddOp>(
          loc, cst(i64, t.offsetFixed),
          b.create<LLVM::MulOp>(loc, batch, cst(i64, t.offsetPerSample)));
      return b.create<LLVM::GEPOp>(loc, ptr, i8, ws,
                                   llvm::ArrayRef<LLVM::GEPArg>{off});
    }
    }
    return nullptr;
  }

  /// Allocates and fills a halide_buffer_t for `t` at `host`.
  Value makeBuffer(Value args, Value host, const TensorRef &t, Value n) {
    Value one = cst(i32, 1);
    auto bufType = LLVM::LLVMArrayType::get(i8, kHalideBufferBytes);
    Value buf = b.create<LLVM::AllocaOp>(loc, ptr, bufType, one, 8);
    Value dims = b.create<LLVM::ZeroOp>(loc, ptr);
    if (!t.shape.empty()) {
      auto dimType =
          LLVM::LLVMArrayType::get(i8, kHalideDimBytes * t.shape.size());
      dims = b.create<LLVM::AllocaOp>(loc, ptr, dimType, one, 8);
    }
    // halide_type_code_t: 0 int, 1 uint, 2 float.
    int code = t.typeCode == 'f' ? 2 : t.typeCode == 'u' ? 1 : 0;
    auto make = declared.lookup("dlrt_make_buffer");
    b.create<LLVM::CallOp>(
        loc, make,
        mlir::ValueRange{buf, dims, host, cst(i32, code), cst(i32, t.bits),
                         cst(i32, t.shape.size()), i64Array(t.shape), n});
    return buf;
  }

  Value scalarValue(Value args, const ScalarRef &s) {
    switch (s.kind) {
    case ScalarRef::Kind::LearningRate:
      return field(args, offsetof(dlrt_step_args, lr), f32);
    case ScalarRef::Kind::StepCount: {
      Value step = field(args, offsetof(dlrt_step_args, step), i64);
      return b.create<LLVM::SIToFPOp>(loc, s.bits == 64 ? f64 : f32, step);
    }
    case ScalarRef::Kind::Seed: {
      Value seed = field(args, offsetof(dlrt_step_args, seed), i64);
      return b.create<LLVM::AddOp>(loc, seed, cst(i64, s.salt));
    }
    case ScalarRef::Kind::BatchSize: {
      Value n = field(args, offsetof(dlrt_step_args, n), i64);
      if (s.typeCode == 'f')
        return b.create<LLVM::SIToFPOp>(loc, s.bits == 64 ? f64 : f32, n);
      return n;
    }
    }
    return nullptr;
  }

  void buildStep(llvm::StringRef name, const StepPlan &plan) {
    auto fn = b.create<LLVM::LLVMFuncOp>(
        loc, name, LLVM::LLVMFunctionType::get(i32, {ptr}));
    mlir::Block *entry = fn.addEntryBlock(b);
    mlir::OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(entry);
    Value args = entry->getArgument(0);
    Value n = field(args, offsetof(dlrt_step_args, n), i64);

    for (const KernelCall &call : plan.calls) {
      llvm::SmallVector<Value> operands;
      llvm::SmallVector<mlir::Type> types;
      for (const KernelArg &a : call.args) {
        if (a.isScalar && !a.scalarAsBuffer) {
          Value v = scalarValue(args, a.scalar);
          operands.push_back(v);
          types.push_back(v.getType());
          continue;
        }
        if (a.isScalar) {
          Value v = scalarValue(args, a.scalar);
          Value slot =
              b.create<LLVM::AllocaOp>(loc, ptr, v.getType(), cst(i32, 1), 8);
          b.create<LLVM::StoreOp>(loc, v, slot);
          TensorRef t;
          t.typeCode = a.scalar.typeCode;
          t.bits = a.scalar.bits;
          operands.push_back(makeBuffer(args, slot, t, n));
        } else {
          operands.push_back(
              makeBuffer(args, hostPointer(args, a.tensor), a.tensor, n));
        }
        types.push_back(ptr);
      }
      LLVM::LLVMFuncOp kernel = declare(call.symbol, i32, types);
      Value status = b.create<LLVM::CallOp>(loc, kernel, operands).getResult();
      // Stop at the first failing kernel and return its status.
      Value failed = b.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::ne,
                                            status, cst(i32, 0));
      mlir::Block *cont = fn.addBlock();
      mlir::Block *fail = fn.addBlock();
      fail->addArgument(i32, loc);
      b.create<LLVM::CondBrOp>(loc, failed, fail, mlir::ValueRange{status},
                               cont, mlir::ValueRange{});
      b.setInsertionPointToStart(fail);
      b.create<LLVM::ReturnOp>(loc, fail->getArgument(0));
      b.setInsertionPointToStart(cont);
    }
    auto memcpy = declared.lookup("memcpy");
    for (const Copy &c : plan.copies) {
      uint64_t fixed = c.src.bytes(1);
      bool perSample = llvm::is_contained(c.src.shape, -1);
      Value bytes = perSample
                        ? Value(b.create<LLVM::MulOp>(loc, n, cst(i64, fixed)))
                        : cst(i64, fixed);
      b.create<LLVM::CallOp>(loc, memcpy,
                             mlir::ValueRange{hostPointer(args, c.dst),
                                              hostPointer(args, c.src), bytes});
    }
    if (plan.loss) {
      Value p = hostPointer(args, *plan.loss);
      Value l = b.create<LLVM::LoadOp>(loc, f32, p);
      Value d = b.create<LLVM::FPExtOp>(loc, f64, l);
      Value dst = b.create<LLVM::GEPOp>(loc, ptr, i8, args,
                                        llvm::ArrayRef<LLVM::GEPArg>{int32_t(
                                            offsetof(dlrt_step_args, loss))});
      b.create<LLVM::StoreOp>(loc, d, dst);
    }
    if (!plan.stepLosses.empty()) {
      Value array = field(args, offsetof(dlrt_step_args, step_losses), ptr);
      for (auto [k, t] : llvm::enumerate(plan.stepLosses)) {
        Value l = b.create<LLVM::LoadOp>(loc, f32, hostPointer(args, t));
        Value d = b.create<LLVM::FPExtOp>(loc, f64, l);
        Value dst = b.create<LLVM::GEPOp>(
            loc, ptr, f64, array, llvm::ArrayRef<LLVM::GEPArg>{int32_t(k)});
        b.create<LLVM::StoreOp>(loc, d, dst);
      }
    }
    b.create<LLVM::ReturnOp>(loc, cst(i32, 0));
  }

  void buildSetThreads() {
    auto fn = b.create<LLVM::LLVMFuncOp>(
        loc, "dlc_set_num_threads",
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(&ctx), {i32}));
    mlir::Block *entry = fn.addEntryBlock(b);
    mlir::OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(entry);
    auto set = declared.lookup("halide_set_num_threads");
    b.create<LLVM::CallOp>(loc, set, mlir::ValueRange{entry->getArgument(0)});
    b.create<LLVM::ReturnOp>(loc, mlir::ValueRange{});
  }

  //--- The descriptor
  /// A private constant global holding an array of `n` C structs, each built
  /// by `row(i)` inside the global's initializer. Returns its name, or "" for
  /// an empty table.
  std::string tableGlobal(llvm::StringRef name, size_t n,
                          const std::function<Value(size_t)> &row) {
    if (n == 0)
      return "";
    auto g = b.create<LLVM::GlobalOp>(loc, ptr /*retyped below*/, true,
                                      LLVM::Linkage::Private, name,
                                      mlir::Attribute());
    mlir::Block *init = b.createBlock(&g.getInitializerRegion());
    b.setInsertionPointToStart(init);
    llvm::SmallVector<Value> rows;
    for (size_t i = 0; i < n; ++i)
      rows.push_back(row(i));
    auto arrayType = LLVM::LLVMArrayType::get(rows[0].getType(), rows.size());
    Value arr = b.create<LLVM::UndefOp>(loc, arrayType);
    for (size_t i = 0; i < rows.size(); ++i)
      arr = b.create<LLVM::InsertValueOp>(loc, arr, rows[i], i);
    b.create<LLVM::ReturnOp>(loc, arr);
    g.setGlobalTypeAttr(mlir::TypeAttr::get(arrayType));
    b.setInsertionPointToEnd(module->getBody());
    return name.str();
  }

  //-------------------------------------------------------------
  void buildDescriptor(const ModelDesc &d) {
    // The parameter table.
    std::string paramsGlobal =
        tableGlobal("dlc_params", d.params.size(), [&](size_t k) {
          const ModelDesc::Param &p = d.params[k];
          StructBuilder s(b, loc, sizeof(dlrt_param_desc));
          s.add(offsetof(dlrt_param_desc, name), string(p.name));
          s.add(offsetof(dlrt_param_desc, dtype), cst(i32, DLRT_DTYPE_F32));
          s.add(offsetof(dlrt_param_desc, rank), cst(i32, p.shape.size()));
          for (size_t i = 0; i < p.shape.size(); ++i)
            s.add(offsetof(dlrt_param_desc, shape) + 8 * i,
                  cst(i64, p.shape[i]));
          s.add(offsetof(dlrt_param_desc, init), cst(i32, p.init));
          s.add(offsetof(dlrt_param_desc, trainable), cst(i32, p.trainable));
          s.add(offsetof(dlrt_param_desc, init_args), cstF(f32, p.initArgs[0]));
          s.add(offsetof(dlrt_param_desc, init_args) + 4,
                cstF(f32, p.initArgs[1]));
          s.add(offsetof(dlrt_param_desc, fan_in), cst(i64, p.fanIn));
          s.add(offsetof(dlrt_param_desc, fan_out), cst(i64, p.fanOut));
          s.add(offsetof(dlrt_param_desc, frozen), cst(i32, p.frozen));
          return s.build();
        });
    // The layer table (for `./train info`).
    std::string layersGlobal =
        tableGlobal("dlc_layers", d.layers.size(), [&](size_t k) {
          const ModelDesc::Layer &l = d.layers[k];
          StructBuilder s(b, loc, sizeof(dlrt_layer_desc));
          s.add(offsetof(dlrt_layer_desc, name), string(l.name));
          s.add(offsetof(dlrt_layer_desc, op), string(l.op));
          s.add(offsetof(dlrt_layer_desc, output_shape), string(l.outputShape));
          s.add(offsetof(dlrt_layer_desc, flops_per_sample), cst(i64, l.flops));
          return s.build();
        });

    // The names of an explicit step's losses.
    std::string lossNamesGlobal = tableGlobal(
        "dlc_step_loss_names", d.stepLossNames.size(),
        [&](size_t k) { return string(d.stepLossNames[k]); });

    auto g = b.create<LLVM::GlobalOp>(loc, ptr, true, LLVM::Linkage::External,
                                      "dlc_model", mlir::Attribute());
    mlir::Block *init = b.createBlock(&g.getInitializerRegion());
    b.setInsertionPointToStart(init);
    StructBuilder s(b, loc, sizeof(dlrt_model_desc));
    s.add(offsetof(dlrt_model_desc, abi_version), cst(i32, DLRT_ABI_VERSION));
    s.add(offsetof(dlrt_model_desc, name), string(d.name));
    s.add(offsetof(dlrt_model_desc, num_params), cst(i32, d.params.size()));
    if (!paramsGlobal.empty())
      s.add(offsetof(dlrt_model_desc, params),
            b.create<LLVM::AddressOfOp>(loc, ptr, paramsGlobal));
    if (!layersGlobal.empty()) {
      s.add(offsetof(dlrt_model_desc, num_layers), cst(i32, d.layers.size()));
      s.add(offsetof(dlrt_model_desc, layers),
            b.create<LLVM::AddressOfOp>(loc, ptr, layersGlobal));
    }
    s.add(offsetof(dlrt_model_desc, input_rank), cst(i32, d.inputShape.size()));
    for (size_t i = 0; i < d.inputShape.size(); ++i)
      s.add(offsetof(dlrt_model_desc, input_shape) + 8 * i,
            cst(i64, d.inputShape[i]));
    s.add(offsetof(dlrt_model_desc, label_kind), cst(i32, d.labelKind));
    s.add(offsetof(dlrt_model_desc, num_classes), cst(i32, d.numClasses));
    s.add(offsetof(dlrt_model_desc, target_size), cst(i64, d.targetSize));
    s.add(offsetof(dlrt_model_desc, num_outputs), cst(i64, d.numOutputs));
    s.add(offsetof(dlrt_model_desc, mask_threshold),
          cstF(b.getF32Type(), d.maskThreshold));
    s.add(offsetof(dlrt_model_desc, input_dtype), cst(i32, d.inputDtype));
    s.add(offsetof(dlrt_model_desc, labels_per_sample),
          cst(i64, d.labelsPerSample));
    size_t t = offsetof(dlrt_model_desc, train);
    s.add(t + offsetof(dlrt_train_desc, epochs), cst(i32, d.epochs));
    s.add(t + offsetof(dlrt_train_desc, batch), cst(i32, d.batch));
    s.add(t + offsetof(dlrt_train_desc, seed), cst(i64, d.seed));
    s.add(t + offsetof(dlrt_train_desc, validation), cstF(f64, d.validation));
    s.add(t + offsetof(dlrt_train_desc, data_kind), cst(i32, d.dataKind));
    if (!d.dataPath.empty())
      s.add(t + offsetof(dlrt_train_desc, data_path), string(d.dataPath));
    for (int f = 0; f < DLRT_NUM_DATA_FILES; ++f)
      if (!d.dataFiles[f].empty())
        s.add(t + offsetof(dlrt_train_desc, data_files) + 8 * f,
              string(d.dataFiles[f]));
    if (!d.csvTargets.empty())
      s.add(t + offsetof(dlrt_train_desc, csv_targets), string(d.csvTargets));
    s.add(t + offsetof(dlrt_train_desc, csv_header), cst(i32, d.csvHeader));
    s.add(t + offsetof(dlrt_train_desc, text_unit), cst(i32, d.textUnit));
    s.add(t + offsetof(dlrt_train_desc, loss_name), string(d.lossName));
    size_t o = t + offsetof(dlrt_train_desc, optimizer);
    s.add(o + offsetof(dlrt_optimizer_desc, kind), cst(i32, d.optKind));
    s.add(o + offsetof(dlrt_optimizer_desc, nesterov), cst(i32, d.nesterov));
    s.add(o + offsetof(dlrt_optimizer_desc, lr), cstF(f64, d.lr));
    s.add(o + offsetof(dlrt_optimizer_desc, momentum), cstF(f64, d.momentum));
    s.add(o + offsetof(dlrt_optimizer_desc, weight_decay),
          cstF(f64, d.weightDecay));
    s.add(o + offsetof(dlrt_optimizer_desc, beta1), cstF(f64, d.beta1));
    s.add(o + offsetof(dlrt_optimizer_desc, beta2), cstF(f64, d.beta2));
    s.add(o + offsetof(dlrt_optimizer_desc, eps), cstF(f64, d.eps));
    s.add(o + offsetof(dlrt_optimizer_desc, num_slots), cst(i32, d.numSlots));
    for (size_t i = 0; i < d.slotNames.size() && i < DLRT_MAX_OPT_SLOTS; ++i)
      s.add(o + offsetof(dlrt_optimizer_desc, slot_names) + 8 * i,
            string(d.slotNames[i]));
    size_t sc = t + offsetof(dlrt_train_desc, schedule);
    s.add(sc + offsetof(dlrt_schedule_desc, kind), cst(i32, d.schedKind));
    s.add(sc + offsetof(dlrt_schedule_desc, step_epochs),
          cst(i32, d.stepEpochs));
    s.add(sc + offsetof(dlrt_schedule_desc, gamma), cstF(f64, d.gamma));
    s.add(sc + offsetof(dlrt_schedule_desc, min_lr), cstF(f64, d.minLr));
    s.add(sc + offsetof(dlrt_schedule_desc, t0), cst(i32, d.t0));
    s.add(sc + offsetof(dlrt_schedule_desc, t_mult), cst(i32, d.tMult));
    s.add(sc + offsetof(dlrt_schedule_desc, max_lr), cstF(f64, d.maxLr));
    s.add(sc + offsetof(dlrt_schedule_desc, pct_start), cstF(f64, d.pctStart));
    s.add(sc + offsetof(dlrt_schedule_desc, div_factor),
          cstF(f64, d.divFactor));
    s.add(sc + offsetof(dlrt_schedule_desc, final_div_factor),
          cstF(f64, d.finalDivFactor));
    size_t es = t + offsetof(dlrt_train_desc, early_stop);
    s.add(es + offsetof(dlrt_early_stop_desc, patience), cst(i32, d.patience));
    s.add(es + offsetof(dlrt_early_stop_desc, metric), cst(i32, d.monitor));
    s.add(es + offsetof(dlrt_early_stop_desc, validation),
          cst(i32, d.monitorValidation));
    s.add(es + offsetof(dlrt_early_stop_desc, min_delta),
          cstF(f64, d.minDelta));
    s.add(t + offsetof(dlrt_train_desc, metrics), cst(i32, d.metrics));
    s.add(t + offsetof(dlrt_train_desc, normalize), cst(i32, d.normalize));
    s.add(t + offsetof(dlrt_train_desc, augment), cst(i32, d.augment));
    s.add(t + offsetof(dlrt_train_desc, crop_padding),
          cst(i32, d.cropPadding));
    s.add(t + offsetof(dlrt_train_desc, shift_pixels),
          cst(i32, d.shiftPixels));
    s.add(t + offsetof(dlrt_train_desc, noise_std), cstF(f64, d.noiseStd));
    s.add(t + offsetof(dlrt_train_desc, balance), cst(i32, d.balance));
    s.add(t + offsetof(dlrt_train_desc, folds), cst(i32, d.folds));
    s.add(t + offsetof(dlrt_train_desc, snapshots), cst(i32, d.snapshots));
    s.add(t + offsetof(dlrt_train_desc, whiten_eps), cstF(f64, d.whitenEps));
    s.add(offsetof(dlrt_model_desc, flops_forward_per_sample),
          cst(i64, d.flopsForward));
    s.add(offsetof(dlrt_model_desc, flops_train_per_sample),
          cst(i64, d.flopsTrain));
    s.add(offsetof(dlrt_model_desc, workspace_bytes_fixed),
          cst(i64, d.workspaceFixed));
    s.add(offsetof(dlrt_model_desc, workspace_bytes_per_sample),
          cst(i64, d.workspacePerSample));
    s.add(offsetof(dlrt_model_desc, max_tensor_elements_per_sample),
          cst(i64, d.maxTensorElementsPerSample));
    s.add(offsetof(dlrt_model_desc, train_step),
          b.create<LLVM::AddressOfOp>(loc, ptr, "dlc_train_step"));
    s.add(offsetof(dlrt_model_desc, eval_step),
          b.create<LLVM::AddressOfOp>(loc, ptr, "dlc_eval_step"));
    for (const OptionalStep &o : optionalSteps)
      s.add(o.field, b.create<LLVM::AddressOfOp>(loc, ptr, o.symbol));
    s.add(offsetof(dlrt_model_desc, feature_rank),
          cst(i32, d.featureShape.size()));
    for (size_t i = 0; i < d.featureShape.size(); ++i)
      s.add(offsetof(dlrt_model_desc, feature_shape) + 8 * i,
            cst(i64, d.featureShape[i]));
    if (!d.noBackbone.empty())
      s.add(offsetof(dlrt_model_desc, no_backbone), string(d.noBackbone));
    s.add(offsetof(dlrt_model_desc, set_num_threads),
          b.create<LLVM::AddressOfOp>(loc, ptr, "dlc_set_num_threads"));
    if (!d.cpuFeatures.empty())
      s.add(offsetof(dlrt_model_desc, cpu_features), string(d.cpuFeatures));
    if (!lossNamesGlobal.empty()) {
      s.add(offsetof(dlrt_model_desc, num_step_losses),
            cst(i32, d.stepLossNames.size()));
      s.add(offsetof(dlrt_model_desc, step_loss_names),
            b.create<LLVM::AddressOfOp>(loc, ptr, lossNamesGlobal));
      s.add(offsetof(dlrt_model_desc, step_summary), string(d.stepSummary));
    }
    if (d.showRows > 0) {
      s.add(offsetof(dlrt_model_desc, show_rows), cst(i32, d.showRows));
      s.add(offsetof(dlrt_model_desc, show_channels), cst(i32, d.showChannels));
      s.add(offsetof(dlrt_model_desc, show_height), cst(i64, d.showHeight));
      s.add(offsetof(dlrt_model_desc, show_width), cst(i64, d.showWidth));
      s.add(offsetof(dlrt_model_desc, show_names), string(d.showNames));
    }
    Value value = s.build();
    b.create<LLVM::ReturnOp>(loc, value);
    g.setGlobalTypeAttr(mlir::TypeAttr::get(value.getType()));
    b.setInsertionPointToEnd(module->getBody());
  }

  void buildMain() {
    auto fn = b.create<LLVM::LLVMFuncOp>(
        loc, "main", LLVM::LLVMFunctionType::get(i32, {i32, ptr}));
    mlir::Block *entry = fn.addEntryBlock(b);
    mlir::OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(entry);
    Value model = b.create<LLVM::AddressOfOp>(loc, ptr, "dlc_model");
    auto dlrtMain = declared.lookup(mainEntry);
    Value r =
        b.create<LLVM::CallOp>(loc, dlrtMain,
                               mlir::ValueRange{entry->getArgument(0),
                                                entry->getArgument(1), model})
            .getResult();
    b.create<LLVM::ReturnOp>(loc, r);
  }

  mlir::MLIRContext &ctx;
  mlir::OpBuilder b;
  mlir::Location loc;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::Type ptr, i8, i32, i64, f32, f64;
  unsigned counter = 0;
  std::vector<OptionalStep> optionalSteps;
  /// What `main` calls: dlrt_main, or dlrt_mpi_main (libdlrt_mpi.a).
  std::string mainEntry = "dlrt_main";
};

} // namespace

mlir::OwningOpRef<mlir::ModuleOp>
target::buildDriver(mlir::MLIRContext &context, const ModelDesc &desc,
                    const StepPlan &train, const StepPlan &eval,
                    llvm::ArrayRef<OptionalStep> optional) {
  context.getOrLoadDialect<LLVM::LLVMDialect>();
  return DriverBuilder(context).run(desc, train, eval, optional);
}
