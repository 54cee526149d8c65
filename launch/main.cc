// passrl: train, evaluate and inspect RL agents that order LLVM passes. See README.md.
#include <csignal>
#include <cstdio>

#include "launch/commands.h"

int main(int argc, char** argv) {
  // A peer that went away (an env worker, a closed pipe) is an error to handle, not a signal that
  // kills the actor. Children get the default back (common/subprocess, WorkerEnvClient).
  std::signal(SIGPIPE, SIG_IGN);
  passrl::launch::InstallCrashReporter(argv[0]);
  CLI::App app{"passrl: reinforcement learning for LLVM pass ordering"};
  app.require_subcommand(1);
  passrl::launch::AddActionsCommand(app);
  passrl::launch::AddEnvCommand(app);
  passrl::launch::AddDatasetCommand(app);
  passrl::launch::AddSearchCommand(app);
  passrl::launch::AddMeasureCommand(app);
  passrl::launch::AddTrainCommand(app);
  passrl::launch::AddEvalCommand(app);
  passrl::launch::AddOptimizeCommand(app);
  passrl::launch::AddReplayCommand(app);
  passrl::launch::AddLearnerCommand(app);
  passrl::launch::AddLoadgenCommand(app);
  passrl::launch::AddKeysCommand(app);
  passrl::launch::AddEnvWorkerCommand(app);
  passrl::launch::AddSweepCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line: what was wrong and where.
    std::fprintf(stderr, "passrl: error: %s (see --help)\n", e.what());
    return 2;
  }
  const absl::Status& status = passrl::launch::CommandStatus();
  if (!status.ok()) {
    std::fprintf(stderr, "passrl: error: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}
