//===- ObjectEmitter.cpp - Driver to LLVM IR, object and executable
//--------===//
//
// Translates the LLVM-dialect driver to LLVM IR, compiles it for the host
// with LLVM's code generator, and links the objects with libdlrt through the
// system compiler driver (which knows the C and C++ runtime libraries).
//
//===----------------------------------------------------------------------===//
#include "dlc/Target/Backend.h"
#include "dlc/Target/Driver.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

using namespace dlc;
using namespace dlc::target;

namespace {

std::unique_ptr<llvm::Module> translate(mlir::ModuleOp driver,
                                        llvm::LLVMContext &llvmContext) {
  mlir::registerBuiltinDialectTranslation(*driver->getContext());
  mlir::registerLLVMDialectTranslation(*driver->getContext());
  return mlir::translateModuleToLLVMIR(driver, llvmContext, "dlc_driver");
}

std::unique_ptr<llvm::TargetMachine> hostMachine(std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  std::string triple = llvm::sys::getDefaultTargetTriple();
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  llvm::TargetOptions options;
  // Without optimisation (fast instruction selection and register
  // allocation): the driver only sequences kernel calls, so its own speed
  // does not count, while optimising code generation is superlinear in the
  // size of a step function (thousands of calls for an unrolled LSTM: 10 s
  // at the default level, most of the compile time).
  return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      triple, "generic", "", options, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::None));
}

} // namespace

bool target::printDriverLLVMIR(mlir::ModuleOp driver, llvm::raw_ostream &os) {
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> m = translate(driver, llvmContext);
  if (!m)
    return false;
  m->print(os, nullptr);
  return true;
}

bool target::emitDriverObject(mlir::ModuleOp driver, llvm::StringRef path,
                              std::string &error) {
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> m = translate(driver, llvmContext);
  if (!m) {
    error = "cannot translate the driver to LLVM IR";
    return false;
  }
  std::unique_ptr<llvm::TargetMachine> tm = hostMachine(error);
  if (!tm)
    return false;
  m->setDataLayout(tm->createDataLayout());
  m->setTargetTriple(tm->getTargetTriple().str());
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = "cannot write '" + path.str() + "': " + ec.message();
    return false;
  }
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, os, nullptr,
                              llvm::CodeGenFileType::ObjectFile)) {
    error = "the host target cannot emit object files";
    return false;
  }
  pm.run(*m);
  os.flush();
  return true;
}

std::string target::runtimeLibrary(std::string &looked) {
  std::string exe =
      llvm::sys::fs::getMainExecutable(nullptr, (void *)&runtimeLibrary);
  llvm::SmallString<256> installed(llvm::sys::path::parent_path(exe));
  llvm::sys::path::append(installed, "..", "lib", "dlc", "libdlrt.a");
  llvm::sys::path::remove_dots(installed, /*remove_dot_dot=*/true);
  if (llvm::sys::fs::exists(installed))
    return std::string(installed);
  if (llvm::sys::fs::exists(DLC_RUNTIME_LIBRARY))
    return DLC_RUNTIME_LIBRARY;
  looked = std::string(installed) + " or " + DLC_RUNTIME_LIBRARY;
  return "";
}

std::string target::mpiRuntimeLibrary(std::string &why) {
  if (llvm::StringRef(DLC_MPI_RUNTIME_LIBRARY).empty()) {
    why = "this dlc was built without MPI (OpenMPI was not found, or "
          "DLC_ENABLE_MPI was OFF, when it was configured: install "
          "libopenmpi-dev and openmpi-bin, e.g. with scripts/install-deps.sh, "
          "and configure the build again)";
    return "";
  }
  std::string looked;
  std::string runtime = runtimeLibrary(looked);
  if (runtime.empty()) {
    why = "cannot find the trainer runtime library (looked for " + looked +
          ")";
    return "";
  }
  // Beside libdlrt.a: the installed pair or the build tree's.
  llvm::SmallString<256> beside(llvm::sys::path::parent_path(runtime));
  llvm::sys::path::append(beside, "libdlrt_mpi.a");
  if (llvm::sys::fs::exists(beside))
    return std::string(beside);
  if (llvm::sys::fs::exists(DLC_MPI_RUNTIME_LIBRARY))
    return DLC_MPI_RUNTIME_LIBRARY;
  why = "cannot find the MPI runtime library (looked for " +
        std::string(beside) + " and " DLC_MPI_RUNTIME_LIBRARY ")";
  return "";
}

bool target::linkExecutable(llvm::ArrayRef<std::string> objects,
                            llvm::StringRef output, std::string &error,
                            bool whitening, bool mpi) {
  llvm::ErrorOr<std::string> cxx = llvm::sys::findProgramByName("c++");
  if (!cxx) {
    error = "cannot find the system C++ compiler driver 'c++' to link with";
    return false;
  }
  std::string looked;
  std::string runtime = runtimeLibrary(looked);
  if (runtime.empty()) {
    error =
        "cannot find the trainer runtime library (looked for " + looked + ")";
    return false;
  }
  std::vector<std::string> argv = {*cxx};
  argv.insert(argv.end(), objects.begin(), objects.end());
  // libdlrt_mpi.a before libdlrt.a (it uses libdlrt), the MPI libraries
  // after it.
  if (mpi) {
    std::string mpiRuntime = mpiRuntimeLibrary(error);
    if (mpiRuntime.empty())
      return false;
    argv.push_back(mpiRuntime);
  }
  // Whitening pulls in libdlrt's Whiten.o, and it the linear algebra of
  // the archives after libdlrt (otherwise the linker takes nothing of them).
  if (whitening)
    argv.push_back("-Wl,--undefined=dlrt_whitening_linked");
  argv.push_back(runtime);
  // libdlrt's static LAPACKE, OpenBLAS and Fortran runtime archives,
  // ':'-separated.
  for (llvm::StringRef rest = DLC_RUNTIME_ARCHIVES; !rest.empty();) {
    auto [archive, tail] = rest.split(':');
    if (!archive.empty())
      argv.push_back(archive.str());
    rest = tail;
  }
  if (mpi)
    for (llvm::StringRef rest = DLC_MPI_LINK_FLAGS; !rest.empty();) {
      auto [flag, tail] = rest.split(':');
      if (!flag.empty())
        argv.push_back(flag.str());
      rest = tail;
    }
  for (const char *lib : {"-lz", "-lpthread", "-ldl", "-lm"})
    argv.push_back(lib);
  argv.push_back("-o");
  argv.push_back(output.str());
  std::vector<llvm::StringRef> refs(argv.begin(), argv.end());
  std::string message;
  int rc =
      llvm::sys::ExecuteAndWait(*cxx, refs, std::nullopt, {}, 0, 0, &message);
  if (rc != 0) {
    error = "linking failed" + (message.empty() ? "" : ": " + message);
    return false;
  }
  return true;
}
