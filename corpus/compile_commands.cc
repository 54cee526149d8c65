#include "corpus/compile_commands.h"

#include <filesystem>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace passrl::corpus {
namespace fs = std::filesystem;
namespace {

// Flags followed by a separate value that the bitcode command drops.
bool DropsNextArgument(absl::string_view arg) {
  return arg == "-o" || arg == "-MF" || arg == "-MT" || arg == "-MQ";
}

// Flags the bitcode command drops: its own -O/-g/-c/-o replace them, warnings are silenced,
// and nothing may change the IR's instrumentation or write side files.
bool DropsArgument(absl::string_view arg) {
  for (absl::string_view prefix :
       {"-O", "-g", "-W", "-M", "-flto", "-fprofile", "-fsanitize", "-fcoverage", "-ftest-coverage",
        "-fdebug-prefix-map", "-ffile-prefix-map", "-fmacro-prefix-map", "-save-temps", "-l",
        "-L", "-fdiagnostics", "-fcolor-diagnostics", "-fstack-clash-protection", "-fcf-protection"}) {
    if (absl::StartsWith(arg, prefix)) return true;
  }
  return arg == "-c" || arg == "-pipe" || arg == "-v" || absl::StartsWith(arg, "-o");
}

bool IsCCompiler(absl::string_view program) {
  const std::string name = fs::path(std::string(program)).filename().string();
  return !absl::StrContains(name, "++") &&
         (absl::StrContains(name, "clang") || absl::StrContains(name, "gcc") ||
          name == "cc" || absl::EndsWith(name, "-cc"));
}

std::string Absolute(const std::string& directory, const std::string& file) {
  fs::path path(file);
  if (path.is_relative()) path = fs::path(directory) / path;
  return path.lexically_normal().string();
}

}  // namespace

std::vector<std::string> SplitCommandLine(absl::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < line.size()) {
        word += line[++i];
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < line.size()) {
      word += line[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

absl::StatusOr<std::vector<CompileCommand>> ParseCompileCommands(absl::string_view json) {
  nlohmann::json entries = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (entries.is_discarded() || !entries.is_array()) {
    return absl::InvalidArgumentError("compile_commands.json is not a JSON array");
  }
  std::vector<CompileCommand> commands;
  std::set<std::string> seen;
  for (const nlohmann::json& entry : entries) {
    if (!entry.is_object() || !entry.contains("directory") || !entry.contains("file")) continue;
    CompileCommand command;
    command.directory = entry["directory"].get<std::string>();
    command.file = Absolute(command.directory, entry["file"].get<std::string>());
    if (entry.contains("arguments") && entry["arguments"].is_array()) {
      for (const auto& arg : entry["arguments"]) command.argv.push_back(arg.get<std::string>());
    } else if (entry.contains("command") && entry["command"].is_string()) {
      command.argv = SplitCommandLine(entry["command"].get<std::string>());
    }
    if (command.argv.empty() || !IsCCompiler(command.argv[0])) continue;
    if (fs::path(command.file).extension() != ".c") continue;
    bool compiles = false, preprocesses = false;
    for (const std::string& arg : command.argv) {
      compiles |= arg == "-c";
      preprocesses |= arg == "-E" || arg == "-M" || arg == "-MM";
    }
    if (!compiles || preprocesses || !seen.insert(command.file).second) continue;
    commands.push_back(std::move(command));
  }
  return commands;
}

std::vector<std::string> BitcodeCommand(const CompileCommand& command, const std::string& clang,
                                        const std::string& output) {
  std::vector<std::string> argv = {clang};
  for (size_t i = 1; i < command.argv.size(); ++i) {
    const std::string& arg = command.argv[i];
    if (DropsNextArgument(arg)) {
      ++i;
      continue;
    }
    if (DropsArgument(arg)) continue;
    if (!absl::StartsWith(arg, "-") && Absolute(command.directory, arg) == command.file) continue;
    argv.push_back(arg);
  }
  // clang 16 made these errors; GCC, which Debian builds with, accepts them in old C code.
  argv.insert(argv.end(), {"-Wno-error=implicit-function-declaration", "-Wno-error=implicit-int",
                           "-Wno-error=int-conversion",
                           "-Wno-error=incompatible-function-pointer-types"});
  argv.insert(argv.end(), {"-O1", "-Xclang", "-disable-llvm-passes", "-g0", "-w", "-emit-llvm",
                           "-fno-crash-diagnostics", "-c", command.file, "-o", output});
  return argv;
}

}  // namespace passrl::corpus
