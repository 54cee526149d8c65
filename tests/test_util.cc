#include "tests/test_util.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/file_cache.h"
#include "common/subprocess.h"
#include "gtest/gtest.h"

namespace passrl::testing {

std::string TempDir() {
  const char* base = getenv("TEST_TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/passrl-test.XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  const char* dir = mkdtemp(buf.data());
  EXPECT_NE(dir, nullptr);
  static std::vector<std::string>* made = [] {
    auto* v = new std::vector<std::string>;
    std::atexit([] {
      std::error_code ec;
      for (const auto& d : *made) std::filesystem::remove_all(d, ec);
    });
    return v;
  }();
  made->push_back(dir);
  return dir;
}

std::string WriteTempFile(const std::string& name, const std::string& text) {
  std::string path = TempDir() + "/" + name;
  EXPECT_TRUE(WriteFileAtomically(path, text).ok());
  return path;
}

std::string SourceDir() { return PASSRL_SOURCE_DIR; }

envs::DatasetOptions TestDatasetOptions() {
  envs::DatasetOptions options = envs::DatasetOptions::Defaults();
  options.datasets_dir = SourceDir() + "/datasets";
  static const std::string* cache = new std::string(TempDir());
  options.build.cache_dir = *cache;
  return options;
}

int64_t CountInstructionsWithLlvmDis(const std::string& bitcode) {
  std::string path = WriteTempFile("count.bc", bitcode);
  auto dis = RunSubprocess({"llvm-dis-16", path, "-o", "-"});
  EXPECT_TRUE(dis.ok() && dis->ok()) << (dis.ok() ? dis->err : dis.status().ToString());
  if (!dis.ok()) return -1;
  // Inside a function body an instruction line is indented by exactly two spaces; labels start at
  // column 0, switch case lines are indented further, and a switch closes with "  ]".
  std::istringstream in(dis->out);
  std::string line;
  bool in_body = false;
  int64_t n = 0;
  while (std::getline(in, line)) {
    if (line.rfind("define ", 0) == 0)
      in_body = true;
    else if (line == "}")
      in_body = false;
    else if (in_body && line.size() > 2 && line[0] == ' ' && line[1] == ' ' && line[2] != ' ' &&
             line[2] != ';' && line[2] != ']')
      ++n;
  }
  return n;
}

std::string RunOpt(const std::string& bitcode, const std::string& pipeline) {
  std::string in = WriteTempFile("in.bc", bitcode);
  std::string out = in + ".opt.bc";
  auto opt = RunSubprocess({"opt-16", "-passes=" + pipeline, in, "-o", out});
  EXPECT_TRUE(opt.ok() && opt->ok()) << (opt.ok() ? opt->err : opt.status().ToString());
  std::string result;
  EXPECT_TRUE(ReadFileToString(out, &result).ok());
  return result;
}

int64_t TextSizeWithLlc(const std::string& bitcode) {
  std::string in = WriteTempFile("llc.bc", bitcode);
  std::string obj = in + ".o";
  auto llc = RunSubprocess({"llc-16", "-filetype=obj", "-relocation-model=pic", in, "-o", obj});
  EXPECT_TRUE(llc.ok() && llc->ok()) << (llc.ok() ? llc->err : llc.status().ToString());
  auto size = RunSubprocess({"size", "-A", obj});
  EXPECT_TRUE(size.ok() && size->ok());
  if (!size.ok()) return -1;
  std::istringstream lines(size->out);
  std::string name;
  int64_t bytes = 0, total = 0;
  std::string rest;
  while (lines >> name) {
    if (name.rfind(".text", 0) == 0 && (lines >> bytes)) total += bytes;
    std::getline(lines, rest);
  }
  return total;
}

std::vector<std::string> ChildrenOfThisProcess() {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    const size_t close = line.rfind(')');  // "pid (comm) state ppid ..."
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string state;
    int ppid = 0;
    rest >> state >> ppid;
    if (ppid == getpid()) found.push_back(line.substr(0, close + 1) + " " + state);
  }
  return found;
}

std::vector<envs::Benchmark> BundledBenchmarks(int n) {
  envs::DatasetOptions options = TestDatasetOptions();
  auto dataset = envs::OpenDataset("bundled", options);
  EXPECT_TRUE(dataset.ok()) << dataset.status();
  std::vector<envs::Benchmark> out;
  if (!dataset.ok()) return out;
  for (const std::string& name : (*dataset)->BenchmarkNames()) {
    if (static_cast<int>(out.size()) >= n) break;
    auto b = (*dataset)->Load(name);
    EXPECT_TRUE(b.ok()) << b.status();
    if (b.ok()) out.push_back(*std::move(b));
  }
  return out;
}

std::string StackHungryProgram() {
  return WriteTempFile(
      "stack_hungry.c",
      "#include <stdio.h>\n"
      "static inline __attribute__((always_inline)) int touch(int n) {\n"
      "  volatile char frame[1 << 18];\n"
      "  frame[n & 1023] = (char)n;\n"
      "  return frame[n & 1023];\n"
      "}\n"
      "__attribute__((noinline)) int descend(int n, int acc) {\n"
      "  if (n == 0) return acc;\n"
      "  return descend(n - 1, acc + touch(n));\n"
      "}\n"
      "int main(void) {\n"
      "  volatile unsigned work = 0;\n"
      "  for (unsigned i = 0; i < 30000000u; i++) work += i;\n"
      "  printf(\"%d\\n\", descend(20000, 0));\n"
      "  return 0;\n"
      "}\n");
}

}  // namespace passrl::testing
