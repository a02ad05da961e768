//===- OnnxExport.cpp - The inference graph as an ONNX model --------------===//
//
// Translates the model's inference function `@M_eval` (nn dialect, before
// autodiff: dropout is absent, batch norm uses the running statistics) into
// an ONNX ModelProto, opset 17, default domain only, and fills its
// initializers from a safetensors checkpoint.
//
// The protobuf classes are those of Debian's libonnx-dev (libonnx_proto, the
// onnx-ml.proto of ONNX 1.12 compiled by protoc), so no wire format is
// written by hand here. The checkpoint is read by the trainer runtime's own
// reader (dlrt::loadSafeTensors), linked in.
//
// Adding an op: one case in `emitOp` below (the only place that knows nn ops
// by name). An op without a case is an export error at its source position.
//
//===----------------------------------------------------------------------===//
#include "dlc/Target/OnnxExport.h"

#include "dlc/Dialect/NN/IR/NNDialect.h"
#include "dlc/Dialect/NN/IR/NNOps.h"

#include "dlrt/Error.h"
#include "dlrt/SafeTensors.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <limits>
#include <set>

using namespace mlir;

namespace dlc::target {
namespace {

/// The opset of the exported models: 17 is the newest that Debian's ONNX
/// 1.12 checker knows, and it has every op used here with its axes as
/// attributes (ReduceMean/ReduceMax) or inputs (ReduceSum, Slice, Pad).
constexpr int64_t kOpset = 17;
/// IR version 8 is the one that goes with opset 17 (ONNX 1.12).
constexpr int64_t kIRVersion = 8;

std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + (ShapedType::isDynamic(shape[i])
                                ? std::string("?")
                                : std::to_string(shape[i]));
  return s + "]";
}

/// An error at `op`'s location, without MLIR's "see current operation" note
/// (the source line and caret say where).
InFlightDiagnostic error(Operation *op) { return mlir::emitError(op->getLoc()); }

class Exporter {
public:
  Exporter(onnx::GraphProto &graph) : graph(graph) {}

  /// The ONNX name of an SSA value (assigned on first use).
  std::string name(Value v) {
    auto it = names.find(v);
    if (it != names.end())
      return it->second;
    std::string n = "t" + std::to_string(counter++);
    names[v] = n;
    return n;
  }
  void bind(Value v, std::string n) { names[v] = std::move(n); }
  std::string fresh() { return "t" + std::to_string(counter++); }

  onnx::NodeProto &node(llvm::StringRef type,
                        llvm::ArrayRef<std::string> inputs,
                        llvm::ArrayRef<std::string> outputs) {
    onnx::NodeProto *n = graph.add_node();
    n->set_op_type(type.str());
    n->set_name(type.str() + "_" + std::to_string(graph.node_size()));
    for (const std::string &i : inputs)
      n->add_input(i);
    for (const std::string &o : outputs)
      n->add_output(o);
    return *n;
  }
  /// One node with one result: `v` (or a fresh name when `v` is null).
  onnx::NodeProto &node(llvm::StringRef type,
                        llvm::ArrayRef<std::string> inputs, Value v) {
    return node(type, inputs, {v ? name(v) : fresh()});
  }
  /// A temporary value computed by one node; returns its name.
  std::string temp(llvm::StringRef type, llvm::ArrayRef<std::string> inputs) {
    std::string n = fresh();
    node(type, inputs, {n});
    return n;
  }

  static void attr(onnx::NodeProto &n, llvm::StringRef key, int64_t value) {
    onnx::AttributeProto *a = n.add_attribute();
    a->set_name(key.str());
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
  }
  static void attr(onnx::NodeProto &n, llvm::StringRef key, double value) {
    onnx::AttributeProto *a = n.add_attribute();
    a->set_name(key.str());
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(static_cast<float>(value));
  }
  static void attr(onnx::NodeProto &n, llvm::StringRef key,
                   llvm::StringRef value) {
    onnx::AttributeProto *a = n.add_attribute();
    a->set_name(key.str());
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(value.str());
  }
  static void attr(onnx::NodeProto &n, llvm::StringRef key,
                   llvm::ArrayRef<int64_t> values) {
    onnx::AttributeProto *a = n.add_attribute();
    a->set_name(key.str());
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : values)
      a->add_ints(v);
  }

  /// An int64 initializer of shape [values.size()] (shapes, axes, pads).
  std::string ints(llvm::ArrayRef<int64_t> values) {
    onnx::TensorProto *t = graph.add_initializer();
    std::string n = "c" + std::to_string(counter++);
    t->set_name(n);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(values.size()));
    for (int64_t v : values)
      t->add_int64_data(v);
    return n;
  }
  /// A 0-d float initializer.
  std::string scalar(double value) {
    onnx::TensorProto *t = graph.add_initializer();
    std::string n = "c" + std::to_string(counter++);
    t->set_name(n);
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_float_data(static_cast<float>(value));
    return n;
  }
  /// A float initializer named `n` with `shape` and raw little-endian data.
  void floats(const std::string &n, llvm::ArrayRef<int64_t> shape,
              const float *data, size_t count) {
    onnx::TensorProto *t = graph.add_initializer();
    t->set_name(n);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : shape)
      t->add_dims(d);
    t->set_raw_data(reinterpret_cast<const char *>(data),
                    count * sizeof(float));
  }

  /// The ONNX form of one op of `@M_eval`; fails (after an error at the op)
  /// when it has none.
  LogicalResult emitOp(Operation *op);

private:
  LogicalResult unary(Operation *op, llvm::StringRef type) {
    node(type, {name(op->getOperand(0))}, op->getResult(0));
    return success();
  }
  LogicalResult binary(Operation *op, llvm::StringRef type) {
    node(type, {name(op->getOperand(0)), name(op->getOperand(1))},
         op->getResult(0));
    return success();
  }
  LogicalResult constant(nn::ConstantOp op);
  LogicalResult reduce(Operation *op, llvm::StringRef type,
                       llvm::ArrayRef<int64_t> axes, bool keepdims,
                       bool axesAsInput);

  onnx::GraphProto &graph;
  llvm::DenseMap<Value, std::string> names;
  unsigned counter = 0;
};

LogicalResult Exporter::constant(nn::ConstantOp op) {
  auto type = cast<RankedTensorType>(op.getType());
  auto dense = dyn_cast<DenseElementsAttr>(op.getValue());
  if (!dense || !type.hasStaticShape())
    return error(op) << ("nn.constant: only dense constants of a static shape "
                        "can be exported to ONNX");
  onnx::TensorProto *t = graph.add_initializer();
  t->set_name(name(op.getResult()));
  for (int64_t d : type.getShape())
    t->add_dims(d);
  Type element = type.getElementType();
  if (element.isF32()) {
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (const APFloat &v : dense.getValues<APFloat>())
      t->add_float_data(v.convertToFloat());
  } else if (element.isInteger(64) || element.isInteger(32)) {
    t->set_data_type(onnx::TensorProto::INT64);
    for (const APInt &v : dense.getValues<APInt>())
      t->add_int64_data(v.getSExtValue());
  } else {
    return error(op) << "nn.constant of element type "
           << element << " cannot be exported to ONNX (f32 and integers only)";
  }
  return success();
}

LogicalResult Exporter::reduce(Operation *op, llvm::StringRef type,
                               llvm::ArrayRef<int64_t> axes, bool keepdims,
                               bool axesAsInput) {
  // No axes: every axis, which is ONNX's default too.
  std::vector<std::string> inputs = {name(op->getOperand(0))};
  if (axesAsInput && !axes.empty())
    inputs.push_back(ints(axes));
  onnx::NodeProto &n = node(type, inputs, op->getResult(0));
  if (!axesAsInput && !axes.empty())
    attr(n, "axes", axes);
  attr(n, "keepdims", int64_t(keepdims));
  return success();
}

LogicalResult Exporter::emitOp(Operation *op) {
  auto pads4 = [](llvm::ArrayRef<int64_t> p) {
    return llvm::SmallVector<int64_t>{p[0], p[1], p[0], p[1]};
  };
  auto f64 = [](const APFloat &v) { return v.convertToDouble(); };
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](nn::ConstantOp o) { return constant(o); })
      // Elementwise
      .Case([&](nn::AddOp o) { return binary(o, "Add"); })
      .Case([&](nn::SubOp o) { return binary(o, "Sub"); })
      .Case([&](nn::MulOp o) { return binary(o, "Mul"); })
      .Case([&](nn::DivOp o) { return binary(o, "Div"); })
      .Case([&](nn::NegOp o) { return unary(o, "Neg"); })
      .Case([&](nn::ExpOp o) { return unary(o, "Exp"); })
      .Case([&](nn::LogOp o) { return unary(o, "Log"); })
      .Case([&](nn::SqrtOp o) { return unary(o, "Sqrt"); })
      .Case([&](nn::SignOp o) { return unary(o, "Sign"); })
      .Case([&](nn::ReluOp o) { return unary(o, "Relu"); })
      .Case([&](nn::SigmoidOp o) { return unary(o, "Sigmoid"); })
      .Case([&](nn::TanhOp o) { return unary(o, "Tanh"); })
      .Case([&](nn::HardswishOp o) { return unary(o, "HardSwish"); })
      .Case([&](nn::PowOp o) {
        node("Pow", {name(o.getX()), scalar(f64(o.getExponent()))},
             o.getResult());
        return success();
      })
      .Case([&](nn::LeakyReluOp o) {
        attr(node("LeakyRelu", {name(o.getX())}, o.getResult()), "alpha",
             f64(o.getSlope()));
        return success();
      })
      .Case([&](nn::EluOp o) {
        attr(node("Elu", {name(o.getX())}, o.getResult()), "alpha",
             f64(o.getAlpha()));
        return success();
      })
      .Case([&](nn::GeluOp o) {
        // Gelu is an ONNX op from opset 20 only: x * (1 + erf(x / sqrt 2)) / 2.
        std::string x = name(o.getX());
        std::string e =
            temp("Erf", {temp("Mul", {x, scalar(1.0 / std::sqrt(2.0))})});
        std::string h = temp("Add", {e, scalar(1.0)});
        node("Mul", {temp("Mul", {x, h}), scalar(0.5)}, o.getResult());
        return success();
      })
      .Case([&](nn::SoftplusOp o) {
        // As PyTorch: x where beta*x > threshold, else log(1 + exp(beta*x)) /
        // beta.
        std::string x = name(o.getX());
        std::string bx = temp("Mul", {x, scalar(f64(o.getBeta()))});
        std::string soft =
            temp("Div", {temp("Softplus", {bx}), scalar(f64(o.getBeta()))});
        std::string big =
            temp("Greater", {bx, scalar(f64(o.getThreshold()))});
        node("Where", {big, x, soft}, o.getResult());
        return success();
      })
      .Case([&](nn::SoftmaxOp o) {
        attr(node("Softmax", {name(o.getX())}, o.getResult()), "axis",
             int64_t(o.getAxis()));
        return success();
      })
      .Case([&](nn::LogSoftmaxOp o) {
        attr(node("LogSoftmax", {name(o.getX())}, o.getResult()), "axis",
             int64_t(o.getAxis()));
        return success();
      })
      // Contractions and reductions
      .Case([&](nn::MatmulOp o) { return binary(o, "MatMul"); })
      .Case([&](nn::SumOp o) {
        return reduce(o, "ReduceSum", o.getAxes(), o.getKeepdims(), true);
      })
      .Case([&](nn::MeanOp o) {
        return reduce(o, "ReduceMean", o.getAxes(), o.getKeepdims(), false);
      })
      .Case([&](nn::MaxOp o) {
        return reduce(o, "ReduceMax", o.getAxes(), o.getKeepdims(), false);
      })
      // Shapes
      .Case([&](nn::ReshapeOp o) {
        // At most one dynamic dimension (the verifier's rule): ONNX's -1.
        llvm::SmallVector<int64_t> shape(o.getType().getShape());
        for (int64_t &d : shape)
          if (ShapedType::isDynamic(d))
            d = -1;
        node("Reshape", {name(o.getX()), ints(shape)}, o.getResult());
        return success();
      })
      .Case([&](nn::TransposeOp o) {
        attr(node("Transpose", {name(o.getX())}, o.getResult()), "perm",
             o.getPerm());
        return success();
      })
      .Case([&](nn::BroadcastToOp o) {
        // Expand broadcasts like numpy; a dynamic dimension is the input's
        // own, which a 1 keeps.
        llvm::SmallVector<int64_t> shape(o.getType().getShape());
        for (int64_t &d : shape)
          if (ShapedType::isDynamic(d))
            d = 1;
        node("Expand", {name(o.getX()), ints(shape)}, o.getResult());
        return success();
      })
      .Case([&](nn::BroadcastLikeOp o) {
        // To the run-time shape of `ref`; with `axes`, x lacks those
        // dimensions of ref (Unsqueeze puts them back as 1).
        std::string x = name(o.getX());
        if (!o.getAxes().empty())
          x = temp("Unsqueeze", {x, ints(o.getAxes())});
        node("Expand", {x, temp("Shape", {name(o.getRef())})}, o.getResult());
        return success();
      })
      .Case([&](nn::ConcatOp o) {
        std::vector<std::string> inputs;
        for (Value v : o.getInputs())
          inputs.push_back(name(v));
        attr(node("Concat", inputs, o.getResult()), "axis",
             int64_t(o.getAxis()));
        return success();
      })
      .Case([&](nn::PadOp o) {
        llvm::SmallVector<int64_t> pads(o.getBefore());
        pads.append(o.getAfter().begin(), o.getAfter().end());
        attr(node("Pad",
                  {name(o.getX()), ints(pads), scalar(f64(o.getValue()))},
                  o.getResult()),
             "mode", llvm::StringRef("constant"));
        return success();
      })
      .Case([&](nn::FlipOp o) {
        size_t n = o.getAxes().size();
        llvm::SmallVector<int64_t> starts(n, -1), steps(n, -1),
            ends(n, std::numeric_limits<int64_t>::min());
        node("Slice",
             {name(o.getX()), ints(starts), ints(ends), ints(o.getAxes()),
              ints(steps)},
             o.getResult());
        return success();
      })
      .Case([&](nn::SliceOp o) {
        // Strides are positive and a limit of -1 is the full extent: ONNX's
        // INT64_MAX (clamped to the dimension). Axes kept whole are left out.
        llvm::SmallVector<int64_t> starts, ends, axes, steps;
        auto shape = cast<RankedTensorType>(o.getX().getType()).getShape();
        for (size_t i = 0; i < shape.size(); ++i) {
          int64_t start = o.getStarts()[i], limit = o.getLimits()[i],
                  stride = o.getStrides()[i];
          if (limit == -1)
            limit = std::numeric_limits<int64_t>::max();
          bool whole = start == 0 && stride == 1 &&
                       (limit == std::numeric_limits<int64_t>::max() ||
                        (!ShapedType::isDynamic(shape[i]) && limit >= shape[i]));
          if (whole)
            continue;
          starts.push_back(start);
          ends.push_back(limit);
          axes.push_back(int64_t(i));
          steps.push_back(stride);
        }
        if (axes.empty()) {
          node("Identity", {name(o.getX())}, o.getResult());
          return success();
        }
        node("Slice",
             {name(o.getX()), ints(starts), ints(ends), ints(axes),
              ints(steps)},
             o.getResult());
        return success();
      })
      // Convolutions, pooling, resampling
      .Case([&](nn::Conv2DOp o) {
        std::vector<std::string> inputs = {name(o.getInput()),
                                           name(o.getWeight())};
        if (o.getBias())
          inputs.push_back(name(o.getBias()));
        onnx::NodeProto &n = node("Conv", inputs, o.getResult());
        auto w = cast<RankedTensorType>(o.getWeight().getType()).getShape();
        attr(n, "kernel_shape", llvm::ArrayRef<int64_t>{w[2], w[3]});
        attr(n, "strides", o.getStride());
        attr(n, "pads", pads4(o.getPadding()));
        attr(n, "dilations", o.getDilation());
        attr(n, "group", int64_t(o.getGroups()));
        return success();
      })
      .Case([&](nn::ConvTranspose2DOp o) {
        onnx::NodeProto &n = node(
            "ConvTranspose", {name(o.getInput()), name(o.getWeight())},
            o.getResult());
        auto w = cast<RankedTensorType>(o.getWeight().getType()).getShape();
        attr(n, "kernel_shape", llvm::ArrayRef<int64_t>{w[2], w[3]});
        attr(n, "strides", o.getStride());
        attr(n, "pads", pads4(o.getPadding()));
        attr(n, "output_padding", o.getOutputPadding());
        attr(n, "dilations", o.getDilation());
        attr(n, "group", int64_t(o.getGroups()));
        return success();
      })
      .Case([&](nn::MaxPool2DOp o) {
        // ONNX pads max pooling with -infinity, as nn.max_pool2d.
        onnx::NodeProto &n = node("MaxPool", {name(o.getInput())},
                                  o.getResult());
        attr(n, "kernel_shape", o.getKernel());
        attr(n, "strides", o.getStride());
        attr(n, "pads", pads4(o.getPadding()));
        return success();
      })
      .Case([&](nn::AvgPool2DOp o) {
        onnx::NodeProto &n = node("AveragePool", {name(o.getInput())},
                                  o.getResult());
        attr(n, "kernel_shape", o.getKernel());
        attr(n, "strides", o.getStride());
        attr(n, "pads", pads4(o.getPadding()));
        attr(n, "count_include_pad", int64_t(1));
        return success();
      })
      .Case([&](nn::UpsampleNearest2DOp o) {
        // out[h] = x[floor(h / scale)]: asymmetric coordinates, floor.
        double s = double(o.getScale());
        onnx::TensorProto *scales = graph.add_initializer();
        std::string scalesName = "c" + std::to_string(counter++);
        scales->set_name(scalesName);
        scales->set_data_type(onnx::TensorProto::FLOAT);
        scales->add_dims(4);
        for (double v : {1.0, 1.0, s, s})
          scales->add_float_data(float(v));
        onnx::NodeProto &n =
            node("Resize", {name(o.getX()), "", scalesName}, o.getResult());
        attr(n, "mode", llvm::StringRef("nearest"));
        attr(n, "coordinate_transformation_mode",
             llvm::StringRef("asymmetric"));
        attr(n, "nearest_mode", llvm::StringRef("floor"));
        return success();
      })
      // Normalisation and regularisation in inference mode
      .Case([&](nn::BatchNormInferOp o) {
        attr(node("BatchNormalization",
                  {name(o.getX()), name(o.getGamma()), name(o.getBeta()),
                   name(o.getRunningMean()), name(o.getRunningVar())},
                  o.getResult()),
             "epsilon", f64(o.getEpsilon()));
        return success();
      })
      .Case([&](nn::DropoutOp o) {
        node("Identity", {name(o.getX())}, o.getResult());
        return success();
      })
      .Default([&](Operation *o) {
        return error(o) << "'" << o->getName()
                              << "' has no ONNX form: it cannot be exported "
                                 "(--emit=onnx)";
      });
}

void setValueInfo(onnx::ValueInfoProto &info, const std::string &n,
                  RankedTensorType type) {
  info.set_name(n);
  onnx::TypeProto_Tensor *t = info.mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  onnx::TensorShapeProto *shape = t->mutable_shape();
  for (auto [i, d] : llvm::enumerate(type.getShape())) {
    onnx::TensorShapeProto_Dimension *dim = shape->add_dim();
    if (ShapedType::isDynamic(d))
      dim->set_dim_param(i == 0 ? "B" : "d" + std::to_string(i));
    else
      dim->set_dim_value(d);
  }
}

/// The model to export: the one of the train recipe, else the only @M_eval.
func::FuncOp findEvalFunc(ModuleOp module) {
  if (auto recipes =
          module->getAttrOfType<ArrayAttr>(nn::NNDialect::kTrainAttrName))
    for (Attribute recipe : recipes)
      if (auto m = cast<DictionaryAttr>(recipe).getAs<StringAttr>("model"))
        if (auto f = module.lookupSymbol<func::FuncOp>(m.str() + "_eval"))
          return f;
  func::FuncOp found;
  for (auto f : module.getOps<func::FuncOp>())
    if (f.getName().ends_with("_eval")) {
      if (found) {
        error(module) << ("--emit=onnx: the module has several models (@")
            << found.getName() << ", @" << f.getName()
            << ") and no train block that picks one";
        return {};
      }
      found = f;
    }
  if (!found)
    error(module) << ("--emit=onnx: the module has no model (no @M_eval "
                     "function)");
  return found;
}

} // namespace

bool exportOnnx(ModuleOp module, const OnnxExportOptions &options) {
  func::FuncOp func = findEvalFunc(module);
  if (!func)
    return false;
  llvm::StringRef model = func.getName().drop_back(5);

  dlrt::SafeTensors ckpt;
  try {
    ckpt = dlrt::loadSafeTensors(options.weights);
  } catch (const dlrt::Error &e) {
    error(func) << ("--emit=onnx: ") << e.what();
    return false;
  }

  onnx::ModelProto proto;
  proto.set_ir_version(kIRVersion);
  proto.set_producer_name("dlc");
  onnx::OperatorSetIdProto *opset = proto.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOpset);
  onnx::GraphProto &graph = *proto.mutable_graph();
  graph.set_name(model.str());
  Exporter ex(graph);

  // Arguments: parameters and buffers become initializers (their checkpoint
  // keys are their ONNX names), the others graph inputs.
  std::vector<std::string> missing, mismatched;
  unsigned numInputs = 0;
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || !type.getElementType().isF32()) {
      error(func) << ("--emit=onnx: argument ")
          << arg.getArgNumber() << " of @" << func.getName() << " has type "
          << arg.getType() << "; only f32 tensors can be exported";
      return false;
    }
    auto key = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                 nn::NNDialect::kParamAttrName);
    if (!key)
      key = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "nn.buffer");
    if (!key) {
      std::string n =
          numInputs == 0 ? "input" : "input" + std::to_string(numInputs);
      ++numInputs;
      ex.bind(arg, n);
      setValueInfo(*graph.add_input(), n, type);
      continue;
    }
    // The checkpoint key is the ONNX name, also of a missing tensor: the
    // body is still translated, so that every problem is reported at once.
    ex.bind(arg, key.str());
    auto it = ckpt.tensors.find(key.str());
    if (it == ckpt.tensors.end()) {
      missing.push_back(key.str() + " " + shapeString(type.getShape()));
      continue;
    }
    const dlrt::Tensor &t = it->second;
    if (llvm::ArrayRef<int64_t>(t.shape) != type.getShape()) {
      mismatched.push_back(key.str() + " is " + shapeString(t.shape) +
                           " in the checkpoint, the model needs " +
                           shapeString(type.getShape()));
      continue;
    }
    ex.floats(key.str(), t.shape, t.values.data(), t.values.size());
  }
  // The body, in order; every op without an ONNX form is reported.
  bool ok = true;
  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
        std::string n = i == 0 ? "output" : "output" + std::to_string(i);
        ex.node("Identity", {ex.name(v)}, {n});
        auto type = dyn_cast<RankedTensorType>(v.getType());
        if (!type || !type.getElementType().isF32()) {
          error(ret) << ("--emit=onnx: result ")
              << i << " is not an f32 tensor";
          return false;
        }
        setValueInfo(*graph.add_output(), n, type);
      }
      continue;
    }
    if (failed(ex.emitOp(&op)))
      ok = false;
  }
  if (!missing.empty() || !mismatched.empty()) {
    InFlightDiagnostic d = error(func);
    d << "--emit=onnx: checkpoint '" << options.weights
      << "' does not fit model " << model << ":";
    if (!missing.empty()) {
      d << " it lacks " << missing.size() << " tensor(s):";
      for (const std::string &m : missing)
        d << "\n  " << m;
    }
    if (!mismatched.empty()) {
      d << (missing.empty() ? " " : "\nand ") << mismatched.size()
        << " tensor(s) have another shape:";
      for (const std::string &m : mismatched)
        d << "\n  " << m;
    }
    ok = false;
  }
  if (!ok)
    return false;

  // Constants (or parameters) that no node reads are left out, as ONNX
  // Runtime would (with a warning).
  std::set<std::string> used;
  for (const onnx::NodeProto &n : graph.node())
    used.insert(n.input().begin(), n.input().end());
  auto *inits = graph.mutable_initializer();
  for (int i = inits->size() - 1; i >= 0; --i)
    if (!used.count(inits->Get(i).name()))
      inits->DeleteSubrange(i, 1);

  std::string bytes;
  if (!proto.SerializeToString(&bytes)) {
    error(func) << ("--emit=onnx: the ONNX model could not be serialised "
                   "(over protobuf's 2 GiB limit?)");
    return false;
  }
  std::error_code ec;
  llvm::raw_fd_ostream os(options.output, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error(func) << ("--emit=onnx: cannot write '")
        << options.output << "': " << ec.message();
    return false;
  }
  os << bytes;
  os.close();
  if (os.has_error()) {
    error(func) << ("--emit=onnx: cannot write '")
        << options.output << "': " << os.error().message();
    os.clear_error();
    return false;
  }
  return true;
}

} // namespace dlc::target
