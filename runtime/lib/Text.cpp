//===- Text.cpp - Text files as token ids for language models -------------===//
//
// Tokenizing, the vocabulary and the windows of the text data source; see
// Text.h.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Text.h"
#include "dlrt/Error.h"
#include "dlrt/InputFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace dlrt {

/// Length of the UTF-8 sequence starting at text[i], or 0 if malformed
/// (bad lead byte, truncated, bad continuation, overlong or a surrogate).
static size_t utf8Length(const std::string &text, size_t i) {
  auto byte = [&](size_t k) { return uint8_t(text[k]); };
  uint8_t b = byte(i);
  size_t n = b < 0x80           ? 1
             : (b >> 5) == 0x6  ? 2
             : (b >> 4) == 0xE  ? 3
             : (b >> 3) == 0x1E ? 4
                                : 0;
  if (n == 0 || i + n > text.size())
    return 0;
  uint32_t cp = n == 1 ? b : n == 2 ? b & 0x1F : n == 3 ? b & 0x0F : b & 0x07;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

std::vector<std::string> tokenize(const std::string &text, int32_t unit,
                                  const std::string &path) {
  std::vector<std::string> tokens;
  std::vector<std::string> chars;
  for (size_t i = 0; i < text.size();) {
    size_t n = utf8Length(text, i);
    if (n == 0)
      fail("'{}' is not UTF-8 text: malformed byte 0x{:02x} at offset {}", path,
           uint8_t(text[i]), i);
    chars.push_back(text.substr(i, n));
    i += n;
  }
  if (unit == DLRT_TEXT_CHAR)
    return chars;
  if (unit != DLRT_TEXT_WORD)
    fail("unknown text unit {}", unit);
  // Words, runs of blanks, newlines.
  auto kind = [](const std::string &c) {
    return c == "\n" ? 2 : (c == " " || c == "\t") ? 1 : 0;
  };
  for (size_t i = 0; i < chars.size(); ++i) {
    if (chars[i] == "\r" && i + 1 < chars.size() && chars[i + 1] == "\n")
      continue;
    int k = kind(chars[i]);
    if (k != 2 && !tokens.empty() && kind(tokens.back().substr(0, 1)) == k &&
        tokens.back() != "\n")
      tokens.back() += chars[i];
    else
      tokens.push_back(chars[i]);
  }
  return tokens;
}

std::vector<std::string>
buildVocabulary(const std::vector<std::string> &tokens) {
  std::vector<std::string> v = tokens;
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

Dataset textWindows(const std::vector<int64_t> &ids, int64_t context,
                    int64_t limit) {
  Dataset data;
  data.sampleSize = context;
  data.labelsPerSample = context;
  int64_t n = ids.size() > 1 ? (int64_t(ids.size()) - 1) / context : 0;
  if (limit > 0)
    n = std::min(n, limit);
  data.count = n;
  data.ids.resize(size_t(n * context));
  data.y.resize(size_t(n * context));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t t = 0; t < context; ++t) {
      data.ids[i * context + t] = ids[i * context + t];
      data.y[i * context + t] = ids[i * context + t + 1];
    }
  return data;
}

std::vector<std::string> readTextTokens(const std::string &path, int32_t unit) {
  InputFile file(path, "", true);
  std::vector<uint8_t> bytes;
  file.readAll(bytes, MaxInflatedBytes);
  return tokenize(std::string(bytes.begin(), bytes.end()), unit, path);
}

std::string showToken(const std::string &token) {
  nlohmann::json j = token;
  return j.dump();
}

Dataset loadTextPart(const DataSource &source, const std::string &part,
                     const DataShape &shape, int64_t limit) {
  const std::string &trainPath = source.files[DLRT_FILE_TRAIN_INPUTS];
  std::vector<std::string> trainTokens =
      readTextTokens(trainPath, source.textUnit);
  std::vector<std::string> vocabulary = buildVocabulary(trainTokens);
  if (int64_t(vocabulary.size()) > shape.classes)
    fail("'{}' has {} distinct {}s but the model scores {} classes: its "
         "output needs at least {} classes (and its embedding as many "
         "ids)",
         trainPath, vocabulary.size(),
         source.textUnit == DLRT_TEXT_WORD ? "token" : "character",
         shape.classes, vocabulary.size());
  bool test = part == "test";
  const std::string &testPath = source.files[DLRT_FILE_TEST_INPUTS];
  std::vector<std::string> tokens =
      !test              ? std::move(trainTokens)
      : testPath.empty() ? std::vector<std::string>()
                         : readTextTokens(testPath, source.textUnit);
  std::vector<int64_t> ids(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    auto it = std::lower_bound(vocabulary.begin(), vocabulary.end(), tokens[i]);
    if (it == vocabulary.end() || *it != tokens[i])
      fail("'{}': token {} ({} of the file) is not in the vocabulary of the "
           "training file '{}'",
           source.files[DLRT_FILE_TEST_INPUTS], showToken(tokens[i]), i + 1,
           trainPath);
    ids[i] = it - vocabulary.begin();
  }
  Dataset data = textWindows(ids, shape.sampleSize, limit);
  if (data.count < 1 && (!test || !testPath.empty()))
    fail("'{}' has {} tokens: too few for one window of {} + 1",
         test ? testPath : trainPath, tokens.size(), shape.sampleSize);
  data.vocabulary = std::move(vocabulary);
  return data;
}

std::string vocabularyJson(const std::vector<std::string> &vocabulary) {
  return nlohmann::json(vocabulary).dump();
}

std::vector<std::string> parseVocabulary(const std::string &text,
                                         const std::string &path) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception &e) {
    fail("checkpoint '{}' has malformed 'vocabulary' metadata: {}", path,
         e.what());
  }
  if (!j.is_array() || j.empty())
    fail("checkpoint '{}' has malformed 'vocabulary' metadata: expected a "
         "non-empty array of strings",
         path);
  std::vector<std::string> v;
  for (const nlohmann::json &t : j) {
    if (!t.is_string() || t.get<std::string>().empty())
      fail("checkpoint '{}' has malformed 'vocabulary' metadata: an entry "
           "is not a non-empty string",
           path);
    v.push_back(t.get<std::string>());
  }
  return v;
}

void checkVocabulary(const std::map<std::string, std::string> &meta,
                     const std::vector<std::string> &vocabulary,
                     const std::string &path) {
  auto it = meta.find("vocabulary");
  if (it == meta.end())
    fail("checkpoint '{}' has no vocabulary (metadata 'vocabulary'); this "
         "text model needs the one it was trained with",
         path);
  std::vector<std::string> saved = parseVocabulary(it->second, path);
  if (saved != vocabulary)
    fail("checkpoint '{}' was trained with another vocabulary ({} tokens) "
         "than the training text's ({} tokens): the ids would mean other "
         "tokens",
         path, saved.size(), vocabulary.size());
}

} // namespace dlrt
