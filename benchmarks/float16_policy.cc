// Writes a policy file's weights as float16 (what actors act with under learner.weights_float16),
// so `passrl optimize`/`eval` can compare its greedy choices with the float32 original:
//   build/benchmarks/passrl_float16_policy RUN/policy.pb RUN/policy-f16.pb
#include <cstdio>
#include <fstream>
#include <sstream>

#include "passrl.pb.h"
#include "proto/wire.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s POLICY.pb OUT.pb\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  passrl::proto::LearnerMessage m;
  if (!in || !m.ParseFromString(bytes.str()) || m.parameters().empty()) {
    std::fprintf(stderr, "%s: not a policy file\n", argv[1]);
    return 1;
  }
  const std::vector<float> weights = passrl::wire::Parameters(m);
  passrl::wire::SetParameters(weights, /*half=*/true, &m);
  std::ofstream(argv[2], std::ios::binary) << m.SerializeAsString();
  std::printf("%s: %zu weights, %zu -> %zu bytes\n", argv[2], weights.size(), weights.size() * 4,
              m.parameters().size());
  return 0;
}
