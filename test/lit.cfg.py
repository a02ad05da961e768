# lit configuration of the dlc test suite.
import os
import lit.formats

config.name = "dlc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".dl", ".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dlc_obj_root, "test")

# Our tools first, then LLVM 19's FileCheck, not, count.
config.environment["PATH"] = os.pathsep.join(
    [config.dlc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%stdlib", os.path.join(config.dlc_src_root, "stdlib")))
config.substitutions.append(("%examples", os.path.join(config.dlc_src_root, "examples")))
config.substitutions.append(("%srcroot", config.dlc_src_root))
config.substitutions.append(("%builddir", config.dlc_obj_root))

# CPU features of this machine, for the tests of the trainer's start-up
# check (a trainer compiled for features the CPU lacks must refuse to run).
try:
    with open("/proc/cpuinfo") as f:
        flags = next((l.split(":", 1)[1].split() for l in f if l.startswith("flags")), [])
except OSError:
    flags = []
if flags and "avx512fp16" not in flags:
    config.available_features.add("cpu-lacks-avx512fp16")

# The ONNX export tests (test/E2E/onnx-*.test) check the exported files with
# Debian's ONNX checker (python3-onnx, a module of the system Python, which
# may not be the Python that runs lit) and run them in ONNX Runtime (npm
# onnxruntime-node, installed by scripts/install-deps.sh into tools/onnx/).
# When either is missing these tests fail (an import error), never skip.
config.substitutions.append(("%onnx_python", "/usr/bin/python3"))
# The recurrent layers are compared with PyTorch (python3-torch, installed
# by scripts/install-deps.sh; test/E2E/rnn-values.test), which fails, never
# skips, when it is missing.
config.substitutions.append(("%torch_python", "/usr/bin/python3"))
config.substitutions.append(("%fashion", "/usr/share/datasets/fashion-mnist"))
# The editor grammar's test (test/Tools/textmate.test) tokenizes with VS
# Code's TextMate engine (npm vscode-textmate, vscode-oniguruma), installed
# the same way into tools/textmate/.
config.environment["NODE_PATH"] = os.pathsep.join(
    os.path.join(config.dlc_src_root, "tools", tool, "node_modules")
    for tool in ("onnx", "textmate"))

# Data-parallel trainers (dlc --mpi, test/E2E/mpi-*.test): the `mpi` feature
# when OpenMPI's mpirun is installed and this dlc was built with MPI
# (libdlrt_mpi.a beside libdlrt.a in the build tree). %mpirun runs the ranks
# on this machine (loopback), more ranks than cores allowed, as root too
# (the CI runs as root), without binding ranks to cores.
import shutil
_mpirun = shutil.which("mpirun")
_dlrt_mpi = os.path.exists(os.path.join(config.dlc_obj_root, "lib", "libdlrt_mpi.a"))
if _dlrt_mpi:
    config.available_features.add("dlrt-mpi")
if _mpirun and _dlrt_mpi:
    config.available_features.add("mpi")
    config.environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
    config.environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    # Shared memory between the ranks without cross-memory attach, which
    # containers often forbid.
    config.environment["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none"
    config.substitutions.append(
        ("%mpirun", _mpirun + " --oversubscribe --bind-to none"))
