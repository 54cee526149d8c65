// The shape of the policy and Q networks (model/networks.h): plain data, so options and configs
// can name it without LibTorch.
#pragma once

#include <vector>

namespace passrl::model {

struct NetworkShape {
  int obs_dim = 0;
  int num_actions = 0;
  std::vector<int> hidden = {256, 256};
  // The actions the policy may choose (env.action_set); empty: all. The others get probability 0.
  std::vector<bool> allowed;
};

}  // namespace passrl::model
