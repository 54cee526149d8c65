#include "common/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/clock.h"
#include "common/perf_counters.h"

extern char** environ;

namespace passrl {
namespace {

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Runs in the forked child: only async-signal-safe calls until exec.
// A setup step that failed, reported to the parent through the CLOEXEC status pipe.
[[noreturn]] void FailChild(int status_fd, int step) {
  const int report[2] = {step, errno};
  (void)!write(status_fd, report, sizeof report);
  _exit(127);
}

enum ChildStep { kAffinity = 1, kChdir = 2, kExec = 3, kOutputFile = 4 };

[[noreturn]] void ExecChild(const char* exe, char* const* argv, char* const* envp, int out_fd,
                            int err_fd, int status_fd, const int gate[2],
                            const SubprocessOptions& o) {
  const pid_t parent = getppid();
  setpgid(0, 0);
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull >= 0) dup2(devnull, 0);
  dup2(out_fd, 1);
  if (!o.inherit_stderr) dup2(err_fd, 2);  // else the pipe's CLOEXEC end closes at exec: EOF
  if (!o.output_file.empty()) {
    const int log = open(o.output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log < 0) FailChild(status_fd, kOutputFile);
    dup2(log, 1);
    dup2(log, 2);
  }
  if (o.parent_death_signal != 0) {
    prctl(PR_SET_PDEATHSIG, o.parent_death_signal);
    if (getppid() != parent) _exit(127);  // the parent is already gone
  }
  if (o.cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(o.cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) FailChild(status_fd, kAffinity);
  }
  if (o.disable_aslr) personality(ADDR_NO_RANDOMIZE);
  auto limit = [](int resource, uint64_t value) {
    rlimit r{static_cast<rlim_t>(value), static_cast<rlim_t>(value)};
    setrlimit(resource, &r);
  };
  if (o.cpu_time_limit_seconds > 0) limit(RLIMIT_CPU, o.cpu_time_limit_seconds);
  if (o.address_space_bytes > 0) limit(RLIMIT_AS, o.address_space_bytes);
  if (o.file_size_bytes > 0) limit(RLIMIT_FSIZE, o.file_size_bytes);
  if (o.no_core_dumps) limit(RLIMIT_CORE, 0);
  if (!o.working_dir.empty() && chdir(o.working_dir.c_str()) != 0) FailChild(status_fd, kChdir);
  // Default signal dispositions for the program (the caller may ignore SIGPIPE, say).
  for (int s : {SIGPIPE, SIGUSR1, SIGUSR2}) signal(s, SIG_DFL);
  if (gate[0] >= 0) {  // the parent opens the counters on us, then lets us exec
    close(gate[1]);    // so that a parent gone before writing reads as EOF
    char go;
    while (read(gate[0], &go, 1) < 0 && errno == EINTR) {
    }
  }
  execve(exe, argv, envp);
  FailChild(status_fd, kExec);
}

}  // namespace

std::string SubprocessResult::Describe() const {
  if (timed_out) return "timed out";
  if (term_signal != 0)
    return absl::StrCat("killed by signal ", term_signal, " (", strsignal(term_signal), ")");
  return absl::StrCat("exit code ", exit_code);
}

std::string FindOnPath(const std::string& name) {
  // A path that exists is run as given: if it cannot be executed, exec says why (EACCES...).
  if (name.find('/') != std::string::npos) return access(name.c_str(), F_OK) == 0 ? name : "";
  const char* path = getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path ? path : "/usr/bin:/bin", ':')) {
    std::string candidate = absl::StrCat(dir, "/", name);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

absl::StatusOr<SubprocessResult> RunSubprocess(const std::vector<std::string>& argv,
                                               const SubprocessOptions& options) {
  if (argv.empty()) return absl::InvalidArgumentError("RunSubprocess: empty command");
  const std::string exe = FindOnPath(argv[0]);
  if (exe.empty()) return absl::NotFoundError(absl::StrCat("'", argv[0], "' not found"));
  // Orphaned grandchildren are re-parented to us (not init), so we can reap them below.
  static std::once_flag subreaper;
  std::call_once(subreaper, [] { prctl(PR_SET_CHILD_SUBREAPER, 1); });

  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  char* empty_env[] = {nullptr};
  char* const* envp = options.clear_environment ? empty_env : environ;

  int out_pipe[2], err_pipe[2], status_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return absl::InternalError("pipe failed");
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return absl::InternalError("pipe failed");
  }
  if (pipe2(status_pipe, O_CLOEXEC) != 0) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    return absl::InternalError("pipe failed");
  }
  int gate[2] = {-1, -1};
  if (options.count_user_cycles && CountersAvailable().ok() && pipe2(gate, O_CLOEXEC) != 0) {
    gate[0] = gate[1] = -1;  // time alone
  }
  SubprocessResult result;
  const double start = MonotonicSeconds();
  const pid_t pid = fork();
  if (pid == 0) {
    ExecChild(exe.c_str(), args.data(), envp, out_pipe[1], err_pipe[1], status_pipe[1], gate,
              options);
  }
  absl::StatusOr<ChildCounters> counters = absl::UnavailableError("not requested");
  if (gate[0] >= 0) {
    // The child reads the gate unless a setup step failed first: its read end stays open here
    // until after the write, so the write never meets a closed pipe (SIGPIPE).
    if (pid > 0) {
      counters = ChildCounters::Open(pid);
      (void)!write(gate[1], "g", 1);
    }
    close(gate[0]);
    close(gate[1]);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  close(status_pipe[1]);
  if (pid < 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    close(status_pipe[0]);
    return absl::ResourceExhaustedError(absl::StrCat("cannot fork: ", strerror(errno)));
  }
  setpgid(pid, pid);  // also in the child: whichever runs first
  // The status pipe closes on a successful exec; a failed setup step writes what failed first.
  int report[2] = {0, 0};
  ssize_t got_report;
  while ((got_report = read(status_pipe[0], report, sizeof report)) < 0 && errno == EINTR) {
  }
  close(status_pipe[0]);
  if (got_report == static_cast<ssize_t>(sizeof report)) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    const char* step = report[0] == kAffinity ? "bind it to CPU"
                       : report[0] == kChdir  ? "enter its working directory"
                       : report[0] == kOutputFile ? "open its output file"
                                              : "execute it";
    return absl::FailedPreconditionError(
        absl::StrCat("cannot ", step, ": '", argv[0], "': ", strerror(report[1])));
  }

  int fds[2] = {out_pipe[0], err_pipe[0]};
  std::string* sinks[2] = {&result.out, &result.err};
  char buf[65536];
  bool killed = false;
  double exit_time = 0;  // when the child was seen to exit while output was still open
  while (fds[0] >= 0 || fds[1] >= 0) {
    // A forked grandchild can hold the pipes open after the child exits: look every 50 ms.
    int wait_ms = 50;
    if (options.timeout_seconds > 0 && !killed) {
      const double left = options.timeout_seconds - (MonotonicSeconds() - start);
      if (left <= 0) {
        result.timed_out = true;
        kill(-pid, SIGKILL);
        killed = true;
        continue;
      }
      wait_ms = std::min(wait_ms, static_cast<int>(left * 1000) + 1);
    }
    pollfd pfds[2];
    int which[2], n = 0;
    for (int i = 0; i < 2; ++i) {
      if (fds[i] < 0) continue;
      pfds[n] = {fds[i], POLLIN, 0};
      which[n++] = i;
    }
    const int ready = poll(pfds, n, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0 && exit_time == 0) {
      siginfo_t exited;
      exited.si_pid = 0;
      if (waitid(P_PID, pid, &exited, WEXITED | WNOHANG | WNOWAIT) == 0 && exited.si_pid == pid) {
        exit_time = MonotonicSeconds();
        kill(-pid, SIGKILL);  // the leftovers of a child that is done
      }
    }
    for (int k = 0; k < n && ready > 0; ++k) {
      if (!(pfds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const int i = which[k];
      const ssize_t got = read(fds[i], buf, sizeof buf);
      if (got <= 0) {
        CloseFd(fds[i]);
        continue;
      }
      std::string& sink = *sinks[i];
      const size_t room =
          options.max_output_bytes - std::min(sink.size(), options.max_output_bytes);
      sink.append(buf, std::min<size_t>(got, room));
      if (static_cast<size_t>(got) > room) {
        result.output_truncated = true;
        if (options.kill_on_output_cap && !killed) {
          kill(-pid, SIGKILL);
          killed = true;
        }
      }
    }
  }
  CloseFd(fds[0]);
  CloseFd(fds[1]);
  // Wait for the child without reaping it (its pid, and so its group id, stays reserved), kill
  // whatever else is left in its group, then reap the child and every group member.
  // (A child that closed its output but runs on still obeys the timeout.)
  // Polled every 1 ms for 0.1 s (a timed program's exit is seen within 1 ms), then every 50 ms:
  // an hours-long child (a training writing to output_file) does not wake this thread a
  // thousand times a second.
  const double polling_since = MonotonicSeconds();
  for (;;) {
    siginfo_t info;
    info.si_pid = 0;
    const int rc = waitid(P_PID, pid, &info, WEXITED | WNOWAIT | WNOHANG);
    if (rc == 0 && info.si_pid == pid) break;
    if (rc < 0 && errno != EINTR) break;
    if (options.timeout_seconds > 0 && !killed &&
        MonotonicSeconds() - start >= options.timeout_seconds) {
      result.timed_out = true;
      kill(-pid, SIGKILL);
      killed = true;
    }
    usleep(MonotonicSeconds() - polling_since < 0.1 ? 1000 : 50000);
  }
  result.wall_seconds = (exit_time > 0 ? exit_time : MonotonicSeconds()) - start;
  kill(-pid, SIGKILL);
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  while (waitpid(-pid, nullptr, 0) > 0 || errno == EINTR) {
  }
  result.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
  if (counters.ok()) {
    if (auto values = counters->Read(); values.ok()) result.counters = *values;
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status) && !result.timed_out) result.term_signal = WTERMSIG(status);
  return result;
}

}  // namespace passrl
