// The shape of the policy and Q networks (model/networks.h): plain data, so options and configs
// can name it without LibTorch.
#pragma once

#include <vector>

namespace passrl::model {

struct NetworkShape {
  int obs_dim = 0;
  int num_actions = 0;
  std::vector<int> hidden = {256, 256};
};

}  // namespace passrl::model
