//===- Compile.cpp - Ahead-of-time compilation of Halide groups -----------===//
//
// Turns lowered groups into object code. Three concerns live here:
//  - Sharing: groups that compute the same function (the same ops with the
//    same attributes and types over the same interface) are one kernel,
//    compiled once; the train, eval and gradient steps repeat most forward
//    ops, and a model that repeats a layer repeats its kernels.
//  - Parallelism: the distinct kernels are compiled by worker processes
//    (fork), one per core, each writing its own objects; the Halide runtime
//    is compiled once into an object of its own. Processes rather than
//    threads because Halide's error reporter is process-global and because
//    a crash inside Halide must become a diagnostic, not the end of dlc.
//  - Problems: every Halide error, and every "guaranteed to fail an
//    assertion at runtime" warning, is reported for the group whose kernel
//    caused it, so that the driver can name the op and its source location
//    and refuse to write a trainer it knows will fail.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

using namespace mlir;
using namespace dlc::nn;

//===----------------------------------------------------------------------===//
// Sharing identical kernels
//===----------------------------------------------------------------------===//

std::string dlc::nn::kernelFingerprint(const HalideGroup &group) {
  std::string key;
  llvm::raw_string_ostream os(key);
  llvm::DenseMap<Value, unsigned> ids;
  unsigned next = 0;
  for (const TensorInterface &in : group.interface.inputs) {
    ids[in.value] = next++;
    os << "in " << in.value.getType() << ";";
  }
  for (Operation *op : group.interface.ops) {
    os << op->getName() << "(";
    for (Value operand : op->getOperands()) {
      auto it = ids.find(operand);
      // Every operand is an input or a result of an earlier op of the
      // group; anything else makes the group unique (never shared).
      if (it == ids.end())
        os << "?" << operand.getAsOpaquePointer();
      else
        os << "%" << it->second;
      os << ",";
    }
    os << ")" << op->getAttrDictionary() << "->";
    for (Value result : op->getResults()) {
      ids[result] = next++;
      os << result.getType() << ",";
    }
    os << ";";
  }
  for (const TensorInterface &out : group.interface.outputs)
    os << "out %" << ids.lookup(out.value) << ";";
  return key;
}

std::vector<size_t>
dlc::nn::shareIdenticalKernels(llvm::MutableArrayRef<HalideGroup> groups) {
  llvm::StringMap<size_t> first;
  std::vector<size_t> distinct;
  for (size_t i = 0; i < groups.size(); ++i) {
    auto [it, inserted] = first.try_emplace(kernelFingerprint(groups[i]), i);
    if (inserted)
      distinct.push_back(i);
    else
      groups[i].interface.name = groups[it->second].interface.name;
  }
  return distinct;
}

//===----------------------------------------------------------------------===//
// Compiling in worker processes
//===----------------------------------------------------------------------===//

namespace {

/// Collects Halide's warnings of the kernel being compiled and turns its
/// errors into exceptions (error() must not return to Halide).
class CollectingReporter : public Halide::CompileTimeErrorReporter {
public:
  std::vector<std::string> warnings;
  void warning(const char *msg) override { warnings.emplace_back(msg); }
  void error(const char *msg) override { throw std::runtime_error(msg); }
};

/// One line of a worker's log, with newlines escaped so that a message
/// stays one record: `<tag> <group> <message>`.
void writeRecord(std::FILE *log, char tag, size_t group,
                 const std::string &message) {
  std::string escaped;
  for (char c : message) {
    if (c == '\n')
      escaped += "\\n";
    else if (c == '\\')
      escaped += "\\\\";
    else
      escaped += c;
  }
  std::fprintf(log, "%c %zu %s\n", tag, group, escaped.c_str());
  std::fflush(log);
}

std::string unescape(llvm::StringRef s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      out += s[i + 1] == 'n' ? '\n' : s[i + 1];
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool isFatalWarning(llvm::StringRef warning) {
  return warning.contains("guaranteed to fail");
}

/// Compiles the kernels `mine` (indices into `groups`) into objects named
/// by `objectOf`, logging to `logPath`: `B i` before kernel i, `E i msg`
/// for a Halide error, `F i msg` for a fatal warning, `W i msg` for another
/// warning, `D i` when its object is written. Runs in a worker process.
int compileInWorker(llvm::ArrayRef<HalideGroup> groups,
                    llvm::ArrayRef<size_t> mine, const Halide::Target &target,
                    bool runtimeChecks,
                    const std::function<std::string(size_t)> &objectOf,
                    const std::string &logPath) {
  std::FILE *log = std::fopen(logPath.c_str(), "w");
  if (!log)
    return 2;
  CollectingReporter reporter;
  Halide::set_custom_compile_time_error_reporter(&reporter);
  // The runtime is compiled once, apart; the driver never asks a kernel for
  // its bounds (it passes allocated buffers of the compiled shapes).
  Halide::Target kernelTarget = target.with_feature(Halide::Target::NoRuntime)
                                    .with_feature(Halide::Target::NoBoundsQuery);
  if (!runtimeChecks)
    kernelTarget = kernelTarget.with_feature(Halide::Target::NoAsserts);
  for (size_t i : mine) {
    writeRecord(log, 'B', i, "");
    reporter.warnings.clear();
    const HalideGroup &g = groups[i];
    try {
      Halide::Pipeline pipeline = g.pipeline;
      Halide::Module module = pipeline.compile_to_module(
          g.arguments(), g.interface.name, kernelTarget);
      bool fatal = false;
      for (const std::string &w : reporter.warnings)
        fatal |= isFatalWarning(w);
      if (!fatal)
        module.compile({{Halide::OutputFileType::object, objectOf(i)}});
    } catch (const std::exception &e) {
      writeRecord(log, 'E', i, e.what());
    }
    for (const std::string &w : reporter.warnings)
      writeRecord(log, isFatalWarning(w) ? 'F' : 'W', i, w);
    writeRecord(log, 'D', i, "");
  }
  std::fclose(log);
  return 0;
}

} // namespace

unsigned dlc::nn::defaultCompileJobs() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

LogicalResult dlc::nn::compileKernels(llvm::ArrayRef<HalideGroup> groups,
                                      llvm::ArrayRef<size_t> kernels,
                                      const KernelCompileOptions &options,
                                      std::vector<std::string> &objects,
                                      std::vector<KernelProblem> &problems,
                                      std::string *error) {
  auto fail = [&](const std::string &message) {
    if (error)
      *error = message;
    return failure();
  };
  FailureOr<Halide::Target> target = parseHalideTarget(options.target, error);
  if (failed(target))
    return failure();
  if (kernels.empty())
    return fail("no kernel to compile");
  auto file = [&](const std::string &name) {
    llvm::SmallString<128> p(options.directory);
    llvm::sys::path::append(p, name);
    return std::string(p);
  };
  auto objectOf = [&](size_t i) {
    return file(groups[i].interface.name + ".o");
  };

  // Balance the workers by a rough cost (Funcs per kernel), largest first.
  unsigned jobs = std::max(
      1u, std::min<unsigned>(options.jobs ? options.jobs : defaultCompileJobs(),
                             static_cast<unsigned>(kernels.size())));
  std::vector<size_t> order(kernels.begin(), kernels.end());
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return groups[a].funcs.size() > groups[b].funcs.size();
  });
  std::vector<std::vector<size_t>> shares(jobs);
  std::vector<size_t> load(jobs, 0);
  for (size_t i : order) {
    size_t j = std::min_element(load.begin(), load.end()) - load.begin();
    shares[j].push_back(i);
    load[j] += groups[i].funcs.size() + 4;
  }

  // Flush before forking so that buffered output is not written twice.
  std::fflush(nullptr);
  llvm::outs().flush();
  llvm::errs().flush();
  std::vector<pid_t> pids;
  for (unsigned j = 0; j < jobs; ++j) {
    std::string logPath = file("worker" + std::to_string(j) + ".log");
    pid_t pid = fork();
    if (pid < 0) {
      for (pid_t p : pids)
        waitpid(p, nullptr, 0);
      return fail("cannot start a kernel compiler process");
    }
    if (pid == 0)
      _exit(compileInWorker(groups, shares[j], *target, options.runtimeChecks,
                            objectOf, logPath));
    pids.push_back(pid);
  }

  // The Halide runtime, once, while the workers compile the kernels.
  std::string runtimeObject = file("halide_runtime.o");
  std::string runtimeError;
  try {
    CollectingReporter reporter;
    Halide::set_custom_compile_time_error_reporter(&reporter);
    Halide::compile_standalone_runtime(runtimeObject, *target);
    Halide::set_custom_compile_time_error_reporter(nullptr);
  } catch (const std::exception &e) {
    Halide::set_custom_compile_time_error_reporter(nullptr);
    runtimeError = e.what();
  }

  std::string workerFailure;
  for (unsigned j = 0; j < jobs; ++j) {
    int status = 0;
    waitpid(pids[j], &status, 0);
    std::string logPath = file("worker" + std::to_string(j) + ".log");
    auto buffer = llvm::MemoryBuffer::getFile(logPath);
    size_t current = SIZE_MAX;
    if (buffer) {
      llvm::SmallVector<llvm::StringRef> lines;
      (*buffer)->getBuffer().split(lines, '\n', -1, false);
      for (llvm::StringRef line : lines) {
        if (line.size() < 3)
          continue;
        char tag = line[0];
        auto [number, message] = line.drop_front(2).split(' ');
        size_t i = 0;
        if (number.getAsInteger(10, i) || i >= groups.size())
          continue;
        if (tag == 'B')
          current = i;
        else if (tag == 'D')
          current = SIZE_MAX;
        else
          problems.push_back({i, unescape(message), tag != 'W'});
      }
    }
    bool exitedCleanly = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!exitedCleanly) {
      std::string how =
          WIFSIGNALED(status)
              ? "was killed by signal " + std::to_string(WTERMSIG(status))
              : "failed";
      if (current != SIZE_MAX)
        problems.push_back(
            {current, "the Halide compiler " + how + " on this kernel", true});
      else
        workerFailure = "a kernel compiler process " + how;
    }
  }
  if (!runtimeError.empty())
    return fail("Halide cannot compile its runtime: " + runtimeError);
  if (!workerFailure.empty())
    return fail(workerFailure);
  if (llvm::any_of(problems, [](const KernelProblem &p) { return p.fatal; }))
    return failure();
  for (size_t i : kernels) {
    if (!llvm::sys::fs::exists(objectOf(i)))
      return fail("Halide wrote no object for kernel " +
                  groups[i].interface.name);
    objects.push_back(objectOf(i));
  }
  objects.push_back(runtimeObject);
  return success();
}

LogicalResult dlc::nn::compileGroupsToObject(llvm::ArrayRef<HalideGroup> groups,
                                             const std::string &target,
                                             const std::string &path,
                                             std::string *error) {
  FailureOr<Halide::Target> t = parseHalideTarget(target, error);
  if (failed(t))
    return failure();
  if (groups.empty()) {
    if (error)
      *error = "no kernel to compile";
    return failure();
  }
  try {
    std::vector<Halide::Module> modules;
    for (const HalideGroup &g : groups) {
      Halide::Pipeline pipeline = g.pipeline;
      modules.push_back(
          pipeline.compile_to_module(g.arguments(), g.interface.name, *t));
    }
    llvm::StringRef stem = llvm::sys::path::stem(path);
    Halide::Module linked = Halide::link_modules(stem.str(), modules);
    llvm::SmallString<128> header(path);
    llvm::sys::path::replace_extension(header, "h");
    bool isLibrary = llvm::StringRef(path).ends_with(".a");
    linked.compile({{isLibrary ? Halide::OutputFileType::static_library
                               : Halide::OutputFileType::object,
                     path},
                    {Halide::OutputFileType::c_header, header.str().str()}});
  } catch (const Halide::Error &e) {
    if (error)
      *error = e.what();
    return failure();
  }
  return success();
}
