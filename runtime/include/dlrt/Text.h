//===- Text.h - Text files as token ids for language models -----*- C++ -*-===//
//
// The text data source (DLRT_DATA_TEXT_FILES): a UTF-8 file is cut into
// tokens (characters, or words, runs of blanks and newlines), the tokens of
// the training file, sorted and deduplicated, are the vocabulary (token id =
// position in it; saved in every checkpoint), and the sequence of ids is cut
// into windows of T + 1 tokens at stride T: a sample's input is the window's
// first T tokens, its labels the last T (the next token at each position).
//
//===----------------------------------------------------------------------===//

#ifndef DLRT_TEXT_H
#define DLRT_TEXT_H

#include "dlrt/Dataset.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dlrt {

/// Tokens of `text` (the content of `path`, for errors): UTF-8 code points
/// (DLRT_TEXT_CHAR) or words, runs of spaces and tabs and single newlines
/// (DLRT_TEXT_WORD; a carriage return before a newline is dropped).
/// Malformed UTF-8 is an error naming the file and the byte offset.
std::vector<std::string> tokenize(const std::string &text, int32_t unit,
                                  const std::string &path);

/// The sorted distinct tokens.
std::vector<std::string>
buildVocabulary(const std::vector<std::string> &tokens);

/// The windows of `ids` (samples of `context` ids, labels the next id at
/// each position) at stride `context`: floor((ids - 1) / context) samples;
/// `limit` > 0 keeps the first `limit`.
Dataset textWindows(const std::vector<int64_t> &ids, int64_t context,
                    int64_t limit);

/// Reads `path` (raw or gzip) and tokenizes it.
std::vector<std::string> readTextTokens(const std::string &path, int32_t unit);

/// Part "train" or "test" of a text source for a model of `shape` (context
/// shape.sampleSize, at most shape.classes tokens in the vocabulary): the
/// vocabulary is that of the training file (also for the test part, whose
/// tokens must all be in it), kept in the Dataset's `vocabulary`.
Dataset loadTextPart(const DataSource &source, const std::string &part,
                     const DataShape &shape, int64_t limit);

/// The vocabulary as checkpoint metadata (a JSON array of strings) and
/// back; `parseVocabulary` throws an error naming `path` when it is
/// malformed.
std::string vocabularyJson(const std::vector<std::string> &vocabulary);
std::vector<std::string> parseVocabulary(const std::string &json,
                                         const std::string &path);

/// A checkpoint of a text model must hold the vocabulary of `data`: throws
/// an error naming `path` when its metadata has none or another one.
void checkVocabulary(const std::map<std::string, std::string> &meta,
                     const std::vector<std::string> &vocabulary,
                     const std::string &path);

/// A token as it reads in messages: "\n" for a newline, quoted.
std::string showToken(const std::string &token);

} // namespace dlrt

#endif // DLRT_TEXT_H
