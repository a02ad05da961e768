//===- LogTest.cpp - Tests of the JSON Lines log --------------------------===//
//
// One record per line, valid JSON, non-finite numbers as null.
//
//===----------------------------------------------------------------------===//

#include "dlrt/Log.h"
#include "TestUtil.h"

#include <cmath>
#include <fstream>

using namespace dlrt;
using namespace dlrt::test;
using nlohmann::json;

TEST(Log, FormatsOneLine) {
  std::string line = formatLogLine(
      {{"event", "epoch"}, {"epoch", 1}, {"loss", 0.5}, {"note", "a\nb"}});
  EXPECT_EQ(line, "{\"epoch\":1,\"event\":\"epoch\",\"loss\":0.5,"
                  "\"note\":\"a\\nb\"}\n");
}

TEST(Log, NonFiniteBecomesNull) {
  json parsed = json::parse(formatLogLine({{"loss", NAN}}));
  EXPECT_TRUE(parsed["loss"].is_null());
}

TEST(Log, WritesAndAppendsLines) {
  TempDir dir;
  std::string path = dir.file("run.jsonl");
  {
    JsonlLog log(path, false);
    log.write({{"epoch", 1}});
    log.write({{"epoch", 2}});
  }
  {
    JsonlLog log(path, true);
    log.write({{"event", "test"}, {"acc", 0.75}});
  }
  std::ifstream in(path);
  std::string line;
  std::vector<json> records;
  while (std::getline(in, line))
    records.push_back(json::parse(line));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1]["epoch"], 2);
  EXPECT_EQ(records[2]["acc"], 0.75);
  EXPECT_FALSE(JsonlLog().enabled());
  EXPECT_DLRT_ERROR(JsonlLog("/nonexistent/dir/x.jsonl", false),
                    "cannot open log file '/nonexistent/dir/x.jsonl'");
}
