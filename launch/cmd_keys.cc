// passrl keys: CurveZMQ keys for authenticated training (proto/curve.h).
//   passrl keys generate --dir keys/      learner.key, learner.pub, actor.key, authorized_keys
//   passrl keys add-actor --dir keys/ --name node17
// Then set security.curve_dir: keys/ in the run's config (docs/SLURM.md: distributing keys).
#include <cstdio>

#include "launch/commands.h"
#include "proto/curve.h"

namespace passrl::launch {

void AddKeysCommand(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("keys", "CurveZMQ keys: only actors holding one may train");
  cmd->require_subcommand(1);
  CLI::App* gen = cmd->add_subcommand("generate", "A new key directory (learner + one actor key)");
  gen->add_option("--dir", *dir, "where to write the keys (created, mode 0700)")->required();
  gen->callback([dir] {
    CommandStatus() = wire::GenerateKeyDirectory(*dir);
    if (CommandStatus().ok()) {
      std::printf(
          "wrote %s/{learner.key,learner.pub,actor.key,authorized_keys}; set "
          "security.curve_dir: %s\n",
          dir->c_str(), dir->c_str());
    }
  });
  CLI::App* add = cmd->add_subcommand("add-actor", "Another authorized actor key");
  add->add_option("--dir", *dir, "the key directory")->required()->check(CLI::ExistingDirectory);
  add->add_option("--name", *name, "the key's name: <name>.key")->required();
  add->callback([dir, name] {
    CommandStatus() = wire::AddActorKey(*dir, *name);
    if (CommandStatus().ok()) {
      std::printf(
          "wrote %s/%s.key and authorized it; actors use it with security.actor_key: "
          "%s.key\n",
          dir->c_str(), name->c_str(), name->c_str());
    }
  });
}

}  // namespace passrl::launch
