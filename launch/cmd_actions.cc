// passrl actions: the action space, one line per action.
#include <cstdio>

#include "envs/action_space.h"
#include "launch/commands.h"

namespace passrl::launch {

void AddActionsCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("actions", "List the action space (LLVM pass pipelines)");
  cmd->callback([] {
    for (int i = 0; i < envs::kNumActions; ++i) {
      const envs::ActionSpec& a = envs::Actions()[i];
      std::printf("%3d  %-34s %.*s\n", i, std::string(a.name).c_str(),
                  static_cast<int>(a.pipeline.size()), a.pipeline.data());
    }
    std::printf("%d actions, action-space hash %016llx\n", envs::kNumActions,
                static_cast<unsigned long long>(envs::ActionSpaceHash()));
  });
}

}  // namespace passrl::launch
