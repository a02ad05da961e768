# Installation and packaging: `cmake --install build --prefix P` and
# `cpack -G DEB` in the build directory (scripts/package.sh).
#
# The layout below a prefix P (an installed dlc finds the stdlib and the
# runtime relative to its own executable, so P may be anywhere):
#   P/bin/dlc, P/bin/dlc-opt
#   P/share/dlc/stdlib/*.dl          the standard library (`use nn`)
#   P/lib/dlc/libdlrt.a              the runtime every trainer links
#   P/include/dlrt/*.h               its C ABI (dlrt.h) and headers
#   P/share/dlc/editors/vscode/      the VS Code extension (TextMate grammar)
# The paths relative to bin/ are those of defaultStdlib (compiler/tools/dlc)
# and runtimeLibrary (compiler/lib/Target/ObjectEmitter.cpp).

# LLVM's and MLIR's shared libraries are in /usr/lib/llvm-19/lib, outside
# the loader's path: the installed binaries keep the directories of the
# libraries they link as their RUNPATH (the build tree's is dropped).
set_target_properties(dlc dlc-opt PROPERTIES INSTALL_RPATH_USE_LINK_PATH ON)
install(TARGETS dlc dlc-opt RUNTIME DESTINATION bin)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/stdlib/ DESTINATION share/dlc/stdlib
  FILES_MATCHING PATTERN "*.dl")
install(TARGETS dlrt ARCHIVE DESTINATION lib/dlc)
if(TARGET dlrt_mpi)
  install(TARGETS dlrt_mpi ARCHIVE DESTINATION lib/dlc)
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/dlrt
  DESTINATION include)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/editors/vscode
  DESTINATION share/dlc/editors)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/dlc)

# --- Debian package --------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME dlc)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "dlc developers <dlc@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "compiler from a small neural-network language to standalone trainers")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "dlc compiles a text file describing a neural network and its training\n\
into a standalone executable that trains it (MLIR, Halide kernels, LLVM).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# The shared libraries dlc and dlc-opt load (LLVM, MLIR, Halide, ANTLR,
# protobuf, ONNX, zlib, libstdc++) are found by dpkg-shlibdeps. A trainer
# is linked by the system's C++ driver `c++` with libdlrt.a and -lz, so the
# package also needs g++ and zlib's development files; the trainer itself
# needs only libc, libstdc++ and zlib at run time.
# libLLVM is the exception: the RUNPATH's /usr/lib/llvm-19/lib/libLLVM.so.19.1
# is a symlink that llvm-19-dev owns, so dpkg-shlibdeps cannot name the
# package of the library behind it (libllvm19) and leaves it out.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# A trainer that whitens its inputs (normalize = pca_whiten | zca_whiten)
# is also linked with the static LAPACKE, serial OpenBLAS and gfortran
# archives of these -dev packages (runtime/CMakeLists.txt).
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "g++, zlib1g-dev, libllvm19, liblapacke-dev, libopenblas-serial-dev, libgfortran-12-dev")
include(CPack)
