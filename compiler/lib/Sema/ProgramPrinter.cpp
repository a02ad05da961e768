//===- ProgramPrinter.cpp - Dump of the typed program
//----------------------===//
//
// `dlc --emit=ast` output: an indented tree in the manner of clang's
// -ast-dump, one node per line, each with its type and `<file:line:col>`.
// The format is meant to be read by people and matched by FileCheck, so it
// prints every tensor's shape and nothing that varies between runs.
//
//===----------------------------------------------------------------------===//
#include "dlc/Sema/Program.h"

#include "llvm/Support/raw_ostream.h"

using namespace dlc;
using namespace dlc::sema;

namespace {

class Printer {
public:
  Printer(const DiagnosticEngine &diags, llvm::raw_ostream &os)
      : diags(diags), os(os) {}

  void print(const Program &prog) {
    for (const auto &m : prog.models)
      printModel(*m);
    for (const TrainConfig &t : prog.trains)
      printTrain(t);
  }

private:
  llvm::raw_ostream &line(unsigned depth) {
    os.indent(depth * 2);
    return os;
  }
  std::string at(Loc loc) { return " <" + diags.describe(loc) + ">"; }

  void printModel(const Model &m) {
    line(0) << "Model " << m.name << " : " << m.inst.result.str()
            << at(m.inst.loc) << "\n";
    for (auto &in : m.inst.inputs)
      line(1) << "Input " << in.first << " : " << in.second.str() << "\n";
    printBody(m.inst, 1);
    int64_t values = 0, trainable = 0;
    for (auto &p : m.params) {
      int64_t n = 1;
      for (const Dim &d : p->type.shape)
        n *= d.size;
      values += n;
      if (p->trainable)
        trainable += n;
    }
    line(1) << "Parameters: " << m.params.size() << " tensors, " << values
            << " values (" << trainable << " trainable)\n";
    for (auto &p : m.params)
      line(2) << (p->trainable ? "" : "buffer ") << p->name << " : "
              << p->type.str() << "\n";
  }

  void printBody(const Instance &inst, unsigned depth) {
    for (const ParamInfo *p : inst.params)
      line(depth) << (p->trainable ? "Param " : "Buffer ") << p->name << " : "
                  << p->type.str() << " init " << p->init.str() << at(p->loc)
                  << "\n";
    for (const TStmt &s : inst.body)
      printStmt(s, depth);
  }

  void printStmt(const TStmt &s, unsigned depth) {
    switch (s.kind) {
    case TStmt::Kind::Assign:
      line(depth) << "Assign " << s.names[0] << " : " << s.value->type.str()
                  << at(s.loc) << "\n";
      break;
    case TStmt::Kind::Return:
      line(depth) << "Return : " << s.value->type.str() << at(s.loc) << "\n";
      break;
    case TStmt::Kind::Update:
      line(depth) << "Update " << s.model << " with " << s.optimizer.str()
                  << at(s.loc) << "\n";
      break;
    }
    printExpr(*s.value, depth + 1);
  }

  void printExpr(const TExpr &e, unsigned depth) {
    std::string ty = " : " + e.type.str();
    switch (e.kind) {
    case TExpr::Kind::Input:
      line(depth) << "Input " << e.name << ty << "\n";
      return;
    case TExpr::Kind::Param:
      line(depth) << (e.param && !e.param->trainable ? "Buffer " : "Param ")
                  << e.name << ty << "\n";
      return;
    case TExpr::Kind::Local:
      line(depth) << "Local " << e.name << ty << "\n";
      return;
    case TExpr::Kind::Element:
      line(depth) << "Element " << e.index << " of " << e.def->name << " "
                  << e.def->instance->prefix << ty << "\n";
      return;
    case TExpr::Kind::Scalar:
      line(depth) << "Scalar " << Const::ofFloat(e.scalar).str() << ty << "\n";
      return;
    case TExpr::Kind::Op: {
      line(depth) << "Op " << e.name << ty;
      for (auto &a : e.attrs)
        os << " " << a.first << "=" << a.second.str();
      os << at(e.loc) << "\n";
      for (auto &o : e.operands)
        if (o)
          printExpr(*o, depth + 1);
      return;
    }
    case TExpr::Kind::Model:
      line(depth) << "Model " << e.name << ty << at(e.loc) << "\n";
      for (auto &o : e.operands)
        printExpr(*o, depth + 1);
      return;
    case TExpr::Kind::Layer: {
      const Instance &inst = *e.instance;
      line(depth) << "Layer " << e.name << " " << inst.prefix
                  << (inst.shared ? " (shared)" : "") << ty << at(e.loc)
                  << "\n";
      for (auto &c : inst.consts)
        line(depth + 1) << "Const " << c.first << " = " << c.second.str()
                        << "\n";
      for (size_t i = 0; i < inst.inputs.size(); ++i) {
        line(depth + 1) << "Arg " << inst.inputs[i].first << " : "
                        << inst.inputs[i].second.str() << "\n";
        printExpr(*e.operands[i], depth + 2);
      }
      printBody(inst, depth + 1);
      return;
    }
    }
  }

  void printTrain(const TrainConfig &t) {
    line(0) << "Train " << (t.model ? t.model->name : "?") << at(t.loc) << "\n";
    for (auto &kv : t.settings) {
      // A step names its own losses and optimizers.
      if (!t.step.empty() && (kv.first == "loss" || kv.first == "optimizer"))
        continue;
      line(1) << kv.first << " = " << kv.second.str() << "\n";
    }
    if (t.sampleType.isTensor())
      line(1) << "sample : " << t.sampleType.str()
              << ", label : " << t.labelType.str() << "\n";
    if (!t.step.empty()) {
      line(1) << "Step (";
      for (size_t i = 0; i < t.stepVars.size(); ++i)
        os << (i ? ", " : "") << t.stepVars[i].first;
      os << ")\n";
      for (const TStmt &s : t.step)
        printStmt(s, 2);
    }
  }

  const DiagnosticEngine &diags;
  llvm::raw_ostream &os;
};

} // namespace

void sema::printProgram(const Program &prog, const DiagnosticEngine &diags,
                        llvm::raw_ostream &os) {
  Printer(diags, os).print(prog);
}
