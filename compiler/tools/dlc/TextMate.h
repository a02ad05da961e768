//===- TextMate.h - The editor grammar of the language ----------*- C++ -*-===//
//
// The TextMate grammar of .dl files, written from the compiler's keyword,
// type, op and train-vocabulary lists and the standard library's layers.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_TOOLS_DLC_TEXTMATE_H
#define DLC_TOOLS_DLC_TEXTMATE_H

#include <string>

namespace dlc {

/// The grammar as JSON (`dlc --emit-textmate`), with the layers of the .dl
/// modules in `stdlibDir`. False with `error` set if the standard library
/// cannot be read or parsed.
bool textMateGrammar(const std::string &stdlibDir, std::string &out,
                     std::string &error);

} // namespace dlc

#endif // DLC_TOOLS_DLC_TEXTMATE_H
