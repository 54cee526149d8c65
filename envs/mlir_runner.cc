#include "envs/mlir_runner.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <random>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "common/subprocess.h"
#include "envs/mlir_env.h"

namespace passrl::envs {
namespace {

// Bufferization keeps @main's signature readable (identity layouts) so the entry can call it.
constexpr absl::string_view kBufferize =
    "empty-tensor-to-alloc-tensor,one-shot-bufferize{bufferize-function-boundaries allow-return-allocs "
    "function-boundary-type-conversion=identity-layout-map}";
constexpr absl::string_view kToLlvm =
    "func.func(convert-linalg-to-loops),convert-math-to-llvm,convert-math-to-libm,"
    "func.func(lower-affine,convert-scf-to-cf),expand-strided-metadata,lower-affine,arith-expand,convert-memref-to-llvm,"
    "convert-func-to-llvm,convert-cf-to-llvm,convert-arith-to-llvm,reconcile-unrealized-casts";

int64_t Elements(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string MemrefType(const HostTensor& t) {
  std::string s = "memref<";
  for (int64_t d : t.shape) absl::StrAppend(&s, d, "x");
  return absl::StrCat(s, t.is_int ? "i64" : "f32", ">");
}

std::string Dense(const HostTensor& t) {
  auto number = [&](double v) {
    if (t.is_int) return absl::StrCat(static_cast<int64_t>(v));
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.9e", v);
    return std::string(buf);
  };
  std::function<std::string(size_t, int64_t)> nest = [&](size_t dim, int64_t offset) {
    if (dim == t.shape.size()) return number(t.data[offset]);
    int64_t stride = Elements(std::vector<int64_t>(t.shape.begin() + dim + 1, t.shape.end()));
    std::string s = "[";
    for (int64_t i = 0; i < t.shape[dim]; ++i) absl::StrAppend(&s, i ? ", " : "", nest(dim + 1, offset + i * stride));
    return s + "]";
  };
  return absl::StrCat("dense<", nest(0, 0), ">");
}

// Splits "a, b<c, d>, e" at top-level commas.
std::vector<std::string> SplitTypes(absl::string_view list) {
  std::vector<std::string> out;
  int depth = 0;
  std::string cur;
  for (char c : list) {
    if (c == '<' || c == '(') ++depth;
    if (c == '>' || c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(std::string(absl::StripAsciiWhitespace(cur)));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!absl::StripAsciiWhitespace(cur).empty()) out.push_back(std::string(absl::StripAsciiWhitespace(cur)));
  return out;
}

struct Signature {
  std::vector<std::string> args, results;
};

// @main's argument and result types, from the module's text (tensors, or memrefs once bufferized).
absl::StatusOr<Signature> MainSignature(const std::string& text) {
  size_t at = text.find("func.func @main(");
  if (at == std::string::npos) return absl::InvalidArgumentError("the module has no func.func @main");
  size_t end = text.find('\n', at);
  std::string line = text.substr(at + 16, end - at - 16);
  size_t close = line.find(") -> ");
  std::string args = line.substr(0, close == std::string::npos ? line.rfind(')') : close);
  Signature sig;
  for (const std::string& a : SplitTypes(args)) sig.args.push_back(a.substr(a.find(':') + 2));
  if (close != std::string::npos) {
    std::string results = line.substr(close + 5);
    results = results.substr(0, results.rfind('{'));
    results = std::string(absl::StripAsciiWhitespace(results));
    if (!results.empty() && results.front() == '(') results = results.substr(1, results.size() - 2);
    sig.results = SplitTypes(results);
  }
  return sig;
}

// "tensor<2x3xf32>" or "memref<2x3xi64>" as a HostTensor's shape and element type.
absl::StatusOr<HostTensor> ShapeOf(absl::string_view type) {
  size_t open = type.find('<');
  if (open == absl::string_view::npos || type.back() != '>') {
    return absl::InvalidArgumentError(absl::StrCat("@main: unsupported type ", type));
  }
  std::vector<std::string> parts = absl::StrSplit(type.substr(open + 1, type.size() - open - 2), 'x');
  HostTensor t;
  t.is_int = parts.back() == "i64";
  if (!t.is_int && parts.back() != "f32") return absl::InvalidArgumentError(absl::StrCat("@main: unsupported type ", type));
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    int64_t d;
    if (!absl::SimpleAtoi(parts[i], &d)) return absl::InvalidArgumentError(absl::StrCat("@main: dynamic type ", type));
    t.shape.push_back(d);
  }
  return t;
}

std::string EntryFunction(const Signature& sig, const std::vector<HostTensor>& inputs) {
  std::ostringstream e;
  for (size_t i = 0; i < inputs.size(); ++i) {
    e << "  memref.global \"private\" constant @passrl_in" << i << " : " << MemrefType(inputs[i]) << " = "
      << Dense(inputs[i]) << "\n";
  }
  e << "  func.func private @printMemrefF32(memref<*xf32>)\n  func.func private @printMemrefI64(memref<*xi64>)\n";
  e << "  func.func @passrl_entry() {\n";
  std::vector<std::string> args;
  for (size_t i = 0; i < inputs.size(); ++i) {
    e << "    %in" << i << " = memref.get_global @passrl_in" << i << " : " << sig.args[i] << "\n";
    args.push_back(absl::StrCat("%in", i));
  }
  std::vector<std::string> results;
  for (size_t i = 0; i < sig.results.size(); ++i) results.push_back(absl::StrCat("%r#", i));
  e << "    " << (results.empty() ? "" : "%r:" + std::to_string(results.size()) + " = ") << "call @main("
    << absl::StrJoin(args, ", ") << ") : (" << absl::StrJoin(sig.args, ", ") << ") -> ("
    << absl::StrJoin(sig.results, ", ") << ")\n";
  for (size_t i = 0; i < sig.results.size(); ++i) {
    bool is_int = absl::StrContains(sig.results[i], "i64>");
    std::string unranked = is_int ? "memref<*xi64>" : "memref<*xf32>";
    e << "    %u" << i << " = memref.cast " << results[i] << " : " << sig.results[i] << " to " << unranked << "\n";
    e << "    call @" << (is_int ? "printMemrefI64" : "printMemrefF32") << "(%u" << i << ") : (" << unranked
      << ") -> ()\n";
  }
  e << "    return\n  }\n";
  return e.str();
}

// The values printMemref* wrote, one vector per printed memref.
std::vector<std::vector<double>> ParsePrinted(const std::string& out) {
  std::vector<std::vector<double>> printed;
  for (absl::string_view block : absl::StrSplit(out, "Unranked Memref", absl::SkipEmpty())) {
    size_t data = block.find("data =");
    if (data == absl::string_view::npos) continue;
    std::vector<double>& values = printed.emplace_back();
    for (absl::string_view tok : absl::StrSplit(block.substr(data + 6), absl::ByAnyChar("[], \n\t"), absl::SkipEmpty())) {
      std::string s(tok);
      values.push_back(std::strtod(s.c_str(), nullptr));  // "nan", "inf" and "-inf" included
    }
  }
  return printed;
}

absl::StatusOr<std::string> Tool(const std::vector<std::string>& argv, const MlirRunOptions& options,
                                 absl::string_view what) {
  SubprocessOptions sub;
  sub.timeout_seconds = options.timeout_seconds;
  PASSRL_ASSIGN_OR_RETURN(SubprocessResult r, RunSubprocess(argv, sub));
  if (!r.ok()) {
    return absl::InternalError(absl::StrCat(what, " (", argv[0], ") failed: ", r.Describe(), ": ",
                                            r.err.substr(0, 2000)));
  }
  return r.out;
}

class TempDir {
 public:
  TempDir() {
    char templ[] = "/tmp/passrl_mlir_run.XXXXXX";
    if (mkdtemp(templ) != nullptr) path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

absl::Status Write(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  f.close();
  if (!f) return absl::InternalError(absl::StrCat(path, ": cannot write"));
  return absl::OkStatus();
}

}  // namespace

absl::Status MlirRunOptions::Validate() const {
  if (timeout_seconds <= 0) return absl::InvalidArgumentError("mlir run: timeout_seconds must be > 0");
  for (const std::string* tool : {&mlir_opt, &cpu_runner}) {
    if (FindOnPath(*tool).empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat(*tool, " not found (Debian's mlir-16-tools; launch/setup.sh installs it)"));
    }
  }
  if (!std::filesystem::exists(runtime_dir + "/libmlir_c_runner_utils.so")) {
    return absl::FailedPreconditionError(absl::StrCat(runtime_dir, "/libmlir_c_runner_utils.so not found"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<HostTensor>> RunMlirGraph(const std::string& module, const std::vector<HostTensor>& inputs,
                                                     const MlirRunOptions& options) {
  PASSRL_RETURN_IF_ERROR(options.Validate());
  TempDir dir;
  if (dir.path().empty()) return absl::InternalError("mlir run: cannot create a temporary directory");
  const std::string graph = dir.path() + "/graph.mlir", entry = dir.path() + "/entry.mlir";
  const std::string lowered = dir.path() + "/lowered.mlir";
  PASSRL_RETURN_IF_ERROR(Write(graph, module));
  PASSRL_ASSIGN_OR_RETURN(
      std::string buffers,
      Tool({options.mlir_opt, graph, absl::StrCat("--pass-pipeline=builtin.module(", kMlirLowering, ",", kBufferize, ")")},
           options, "bufferizing"));
  PASSRL_ASSIGN_OR_RETURN(Signature sig, MainSignature(buffers));
  if (sig.args.size() != inputs.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("@main takes ", sig.args.size(), " arguments, ", inputs.size(), " inputs given"));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (sig.args[i] != MemrefType(inputs[i]) || Elements(inputs[i].shape) != static_cast<int64_t>(inputs[i].data.size())) {
      return absl::InvalidArgumentError(absl::StrCat("input ", i, " is ", MemrefType(inputs[i]), " with ",
                                                     inputs[i].data.size(), " values; @main takes ", sig.args[i]));
    }
  }
  size_t last = buffers.find_last_of('}');
  if (last == std::string::npos) return absl::InternalError("bufferized module has no closing brace");
  PASSRL_RETURN_IF_ERROR(Write(entry, buffers.substr(0, last) + EntryFunction(sig, inputs) + "}\n"));
  PASSRL_RETURN_IF_ERROR(
      Tool({options.mlir_opt, entry, absl::StrCat("--pass-pipeline=builtin.module(", kToLlvm, ")"), "-o", lowered},
           options, "lowering to LLVM")
          .status());
  const std::string libs = absl::StrCat(options.runtime_dir, "/libmlir_c_runner_utils.so,", options.runtime_dir,
                                        "/libmlir_runner_utils.so");
  PASSRL_ASSIGN_OR_RETURN(std::string out,
                          Tool({options.cpu_runner, lowered, "-e", "passrl_entry", "-entry-point-result=void",
                                "-shared-libs=" + libs},
                               options, "running"));
  std::vector<std::vector<double>> printed = ParsePrinted(out);
  if (printed.size() != sig.results.size()) {
    return absl::InternalError(absl::StrCat("expected ", sig.results.size(), " printed results, read ", printed.size()));
  }
  std::vector<HostTensor> results;
  for (size_t i = 0; i < printed.size(); ++i) {
    PASSRL_ASSIGN_OR_RETURN(HostTensor t, ShapeOf(sig.results[i]));
    t.data = std::move(printed[i]);
    if (static_cast<int64_t>(t.data.size()) != Elements(t.shape)) {
      return absl::InternalError(absl::StrCat("result ", i, " (", sig.results[i], "): read ", t.data.size(), " values"));
    }
    results.push_back(std::move(t));
  }
  return results;
}

absl::StatusOr<std::vector<HostTensor>> RandomArguments(const std::string& module, uint64_t seed) {
  PASSRL_ASSIGN_OR_RETURN(Signature sig, MainSignature(module));
  std::mt19937_64 rng(seed);
  std::vector<HostTensor> args;
  for (const std::string& type : sig.args) {
    PASSRL_ASSIGN_OR_RETURN(HostTensor t, ShapeOf(type));
    t.data.resize(static_cast<size_t>(Elements(t.shape)));
    std::uniform_real_distribution<double> real(-1.0, 1.0);
    std::uniform_int_distribution<int> id(0, 7);
    for (double& v : t.data) v = t.is_int ? id(rng) : static_cast<float>(real(rng));
    args.push_back(std::move(t));
  }
  return args;
}

absl::StatusOr<double> ToleranceRatio(const HostTensor& a, const HostTensor& b, double atol, double rtol) {
  if (a.shape != b.shape || a.data.size() != b.data.size()) {
    return absl::InvalidArgumentError(absl::StrCat("shapes differ: [", absl::StrJoin(a.shape, ","), "] vs [",
                                                   absl::StrJoin(b.shape, ","), "]"));
  }
  double worst = 0;
  for (size_t i = 0; i < a.data.size(); ++i) {
    double r = std::abs(a.data[i] - b.data[i]) / (atol + rtol * std::abs(b.data[i]));
    if (std::isnan(r)) return std::numeric_limits<double>::infinity();
    worst = std::max(worst, r);
  }
  return worst;
}

}  // namespace passrl::envs
