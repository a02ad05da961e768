# Writes the header with dlc's version and the git commit of the source tree
# (`dlc --version`, `./train --version`). Run at every build as a script
# (cmake -P) by the target dlc-version; configure_file rewrites the header
# only when its text changes, so a new commit recompiles the two files that
# include it and nothing else. Outside a git checkout the commit is
# "unknown".
#
# Variables: SOURCE_DIR, OUTPUT (the header), VERSION, GIT_EXECUTABLE (may be
# empty).
set(DLC_GIT_COMMIT "unknown")
if(GIT_EXECUTABLE)
  execute_process(
    COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" rev-parse --short=12 HEAD
    OUTPUT_VARIABLE commit
    RESULT_VARIABLE rc
    OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_QUIET)
  if(rc EQUAL 0 AND commit MATCHES "^[0-9a-f]+$")
    set(DLC_GIT_COMMIT "${commit}")
  endif()
endif()
set(DLC_VERSION "${VERSION}")
configure_file("${SOURCE_DIR}/cmake/Version.h.in" "${OUTPUT}" @ONLY)
