// passrl actions: the action space, one line per action.
#include <cstdio>

#include <memory>
#include <string>

#include "envs/action_space.h"
#include "envs/mlir_env.h"
#include "launch/commands.h"

namespace passrl::launch {

void AddActionsCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("actions", "List the action space (LLVM or MLIR pass pipelines)");
  auto compiler = std::make_shared<std::string>("llvm");
  cmd->add_option("--compiler", *compiler, "llvm or mlir")->check(CLI::IsMember({"llvm", "mlir"}));
  cmd->callback([compiler] {
    const bool mlir = *compiler == "mlir";
    absl::Span<const envs::ActionSpec> actions = mlir ? envs::MlirActions() : envs::Actions();
    for (size_t i = 0; i < actions.size(); ++i) {
      const envs::ActionSpec& a = actions[i];
      std::printf("%3zu  %-36s %.*s\n", i, std::string(a.name).c_str(),
                  static_cast<int>(a.pipeline.size()), a.pipeline.data());
    }
    std::printf("%zu actions, action-space hash %016llx\n", actions.size(),
                static_cast<unsigned long long>(mlir ? envs::MlirActionSpaceHash() : envs::ActionSpaceHash()));
  });
}

}  // namespace passrl::launch
