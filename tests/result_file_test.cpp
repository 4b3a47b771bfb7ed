// Tests for bench/result_file.cpp: odd --out paths refused, publishing keeps the previous file,
// JSON checked.
#include "result_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace cvp::bench {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ResultFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cvp_result_file_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

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
  EXPECT_EQ(read(out), "{\"v\": 2}");
  EXPECT_EQ(read(dir_ / "previous" / "r.json"), "{\"v\": 1}");
  EXPECT_FALSE(fs::exists(out.string() + ".partial"));
}

TEST_F(ResultFile, PublishRefusesTextThatIsNotJsonAndLeavesTheOldFile) {
  const fs::path out = dir_ / "r.json";
  publish(out, "{\"v\": 1}");
  EXPECT_THROW(publish(out, "{\"v\": "), std::runtime_error);
  EXPECT_EQ(read(out), "{\"v\": 1}");
}

TEST_F(ResultFile, KeepFailedWritesBesideAndLeavesOutAlone) {
  const fs::path out = dir_ / "r.json";
  keep_failed(out, "{}");
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(read(out.string() + ".failed"), "{}");
}

TEST(IsJson, AcceptsGoogleBenchmarkOutputAndRefusesDamage) {
  EXPECT_TRUE(is_json(R"({"a": [1, -2.5e3, true, null, "x\"y"], "b": {}, "c": NaN})"));
  for (const char* bad : {"", "{", "{\"a\": }", "[1,]", "{\"a\" 1}", "nul", "{} {}", "\"\x01\""}) {
    EXPECT_FALSE(is_json(bad)) << bad;
  }
  EXPECT_FALSE(is_json(std::string(100, '[') + std::string(100, ']')));  // too deep
}

}  // namespace
}  // namespace cvp::bench
