// Tests for bench/result_file.cpp: odd --out paths refused, publishing keeps the previous file,
// JSON checked.
#include "result_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace cvp::bench {
namespace {

namespace fs = std::filesystem;

using cvp::testing::read_file;

class ResultFile : public cvp::testing::ScratchDirTest {};

TEST_F(ResultFile, RefusesPathsThatAreNotPlainFiles) {
  EXPECT_THROW(check_out_file(""), std::invalid_argument);
  EXPECT_THROW(check_out_file(dir_.string() + "/"), std::invalid_argument);
  EXPECT_THROW(check_out_file(dir_), std::invalid_argument);  // an existing directory
  EXPECT_THROW(check_out_file("/dev/full"), std::invalid_argument);
  std::ofstream(dir_ / "file") << "x";
  EXPECT_THROW(check_out_file(dir_ / "file" / "out.json"), std::invalid_argument);
  EXPECT_NO_THROW(check_out_file(dir_ / "new" / "out.json"));
  EXPECT_FALSE(fs::exists(dir_ / "new")) << "a check creates nothing";
}

TEST_F(ResultFile, RefusesAFolderWhereNoFileCanBeMadeAndLeavesNothingBehind) {
  // /proc is there on Linux and takes no new file, even from root.
  try {
    check_out_file("/proc/cvp/out.json");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("no file can be made in '/proc'"), std::string::npos)
        << e.what();
  }
  EXPECT_NO_THROW(check_out_file(dir_ / "out.json"));
  EXPECT_TRUE(fs::is_empty(dir_)) << "the probe file is removed";
}

TEST_F(ResultFile, PublishKeepsThePreviousFileInPrevious) {
  const fs::path out = dir_ / "r.json";
  publish(out, "{\"v\": 1}");
  publish(out, "{\"v\": 2}");
  EXPECT_EQ(read_file(out), "{\"v\": 2}");
  EXPECT_EQ(read_file(dir_ / "previous" / "r.json"), "{\"v\": 1}");
  EXPECT_FALSE(fs::exists(out.string() + ".partial"));
}

TEST_F(ResultFile, PublishRefusesTextThatIsNotJsonAndLeavesTheOldFile) {
  const fs::path out = dir_ / "r.json";
  publish(out, "{\"v\": 1}");
  EXPECT_THROW(publish(out, "{\"v\": "), std::runtime_error);
  EXPECT_EQ(read_file(out), "{\"v\": 1}");
}

TEST_F(ResultFile, KeepFailedWritesBesideAndLeavesOutAlone) {
  const fs::path out = dir_ / "r.json";
  keep_failed(out, "{}");
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(read_file(out.string() + ".failed"), "{}");
}

// Everything in the output folder apart from the files a test expects.
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST_F(ResultFile, KeepFailedReplacesAPlantedLinkInsteadOfWritingThroughIt) {
  const fs::path outside = dir_ / "outside";
  fs::create_directories(outside);
  std::ofstream(outside / "target") << "not yours";
  const fs::path out = dir_ / "r" / "r.json";
  fs::create_directories(out.parent_path());
  fs::create_symlink(outside / "target", out.string() + ".failed");
  fs::create_symlink(outside / "target", out.string() + ".partial");
  keep_failed(out, "{}");
  EXPECT_EQ(read_file(outside / "target"), "not yours");
  EXPECT_FALSE(fs::is_symlink(out.string() + ".failed"));
  EXPECT_EQ(read_file(out.string() + ".failed"), "{}");
  publish(out, "{}");
  EXPECT_EQ(read_file(outside / "target"), "not yours");
  EXPECT_EQ(names_in(out.parent_path()),
            (std::vector<std::string>{"r.json", "r.json.failed", "r.json.partial"}));
}

TEST_F(ResultFile, PublishNeverFollowsAPreviousThatIsALink) {
  const fs::path outside = dir_ / "outside";
  fs::create_directories(outside);
  const fs::path out = dir_ / "r" / "r.json";
  publish(out, "{\"v\": 1}");
  fs::create_directory_symlink(outside, out.parent_path() / "previous");
  EXPECT_THROW(check_out_file(out), std::invalid_argument);
  try {
    publish(out, "{\"v\": 2}");
    FAIL() << "published through a previous/ that is a link";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("is never followed"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::is_empty(outside));
  EXPECT_EQ(read_file(out), "{\"v\": 1}");
  EXPECT_EQ(names_in(out.parent_path()), (std::vector<std::string>{"previous", "r.json"}));
}

TEST_F(ResultFile, TemporaryFilesHaveNamesNoOneCanGuess) {
  // Two writes of one result: the temporary names differ, and none is left.
  const fs::path out = dir_ / "r.json";
  publish(out, "{}");
  publish(out, "{}");
  EXPECT_EQ(names_in(dir_), (std::vector<std::string>{"previous", "r.json"}));
  EXPECT_EQ(names_in(dir_ / "previous"), (std::vector<std::string>{"r.json"}));
}

TEST_F(ResultFile, RefusesAnOutWithAControlCharacter) {
  try {
    check_out_file(dir_ / "a\nb.json");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              "--out contains a control character (0x0a); allowed: a file path without control "
              "characters");
  }
  EXPECT_THROW(check_out_file(dir_ / "a\x1b[31mb.json"), std::invalid_argument);
  EXPECT_THROW(check_out_dir(dir_ / "a\tb"), std::invalid_argument);
}

TEST_F(ResultFile, CheckOutDirRefusesAFolderWhereNoFileCanBeMade) {
  EXPECT_THROW(check_out_dir("/proc/cvp-traces"), std::invalid_argument);
  EXPECT_NO_THROW(check_out_dir(dir_ / "traces"));
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST(IsJson, AcceptsGoogleBenchmarkOutputAndRefusesDamage) {
  EXPECT_TRUE(is_json(R"({"a": [1, -2.5e3, true, null, "x\"y"], "b": {}, "c": NaN})"));
  for (const char* bad : {"", "{", "{\"a\": }", "[1,]", "{\"a\" 1}", "nul", "{} {}", "\"\x01\""}) {
    EXPECT_FALSE(is_json(bad)) << bad;
  }
  EXPECT_FALSE(is_json(std::string(100, '[') + std::string(100, ']')));  // too deep
}

TEST_F(ResultFile, PublishUnderNeverWritesThroughALinkedFolder) {
  // The folder swapped for a link after the run's check: refused, the target untouched.
  const fs::path victim = dir_ / "victim";
  fs::create_directories(victim);
  std::ofstream(victim / "a.json") << "precious";
  fs::create_directories(dir_ / "out");
  fs::create_directory_symlink(victim, dir_ / "out" / "scenario");
  EXPECT_THROW(publish_under(dir_ / "out", "scenario/a.json", "{}"), std::runtime_error);
  EXPECT_EQ(read_file(victim / "a.json"), "precious");
  EXPECT_EQ(std::distance(fs::directory_iterator(victim), fs::directory_iterator()), 1);
}

TEST_F(ResultFile, PublishUnderMakesTheFoldersAndKeepsThePrevious) {
  publish_under(dir_ / "out", "scenario/a.json", "{}");
  publish_under(dir_ / "out", "scenario/a.json", "[]");
  EXPECT_EQ(read_file(dir_ / "out" / "scenario" / "a.json"), "[]");
  EXPECT_EQ(read_file(dir_ / "out" / "scenario" / "previous" / "a.json"), "{}");
}

}  // namespace
}  // namespace cvp::bench
