// Transport throughput, measured side by side in one run over loopback TCP:
//   anchor: raw libzmq PUSH -> PULL of the same bytes (pre-serialized, nothing done with them);
//   passrl: what actors and the learner do per message: build and serialize a TransitionBatch
//           (32 transitions, 57-float observations), receive, validate (wire::DecodeActorMessage)
//           and insert every transition into the replay buffer (learner::InsertBatch).
// Reps interleaved; medians. Prints Markdown for BENCHMARKS.md.
//   build/benchmarks/passrl_transport_bench [--messages N] [--reps R]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "actors/observation.h"
#include "envs/action_space.h"
#include "learner/ingest.h"
#include "proto/transition.h"
#include "proto/wire.h"
#include "zmq.hpp"

namespace passrl {
namespace {

constexpr int kBatch = 32;

proto::ActorMessage MakeBatch(uint64_t seq) {
  proto::ActorMessage m = wire::NewActorMessage(1, envs::ActionSpaceHash());
  proto::TransitionBatch* b = m.mutable_batch();
  b->set_obs_dim(actors::kObservationDim);
  b->add_benchmark_names("bundled/nqueens");
  std::vector<float> obs(actors::kObservationDim), next(actors::kObservationDim);
  for (int i = 0; i < kBatch; ++i) {
    // As the actor does (wire::AppendTransition).
    for (int j = 0; j < actors::kObservationDim; ++j) {
      obs[j] = static_cast<float>((seq + i + j) % 97) * 0.1f;
      next[j] = static_cast<float>((seq + i + j + 1) % 97) * 0.1f;
    }
    wire::TransitionFields f;
    f.action = static_cast<int>((seq + i) % envs::kNumActions);
    f.reward = 0.01f;
    f.truncated = i == kBatch - 1;
    f.episode_id = seq;
    f.step = i;
    f.policy_version = 1;
    wire::AppendTransition(obs, next, f, b);
  }
  return m;
}

// Returns transitions per second.
// mode 0: raw bytes both sides; 1: the full passrl path; 2: pre-serialized sends, passrl receive
// (isolates the learner's side).
double Run(int mode, int messages, replay::ReplayBuffer* replay) {
  const bool passrl_path = mode != 0;
  zmq::context_t context(1);
  learner::BenchmarkTable benchmarks;
  zmq::socket_t pull(context, zmq::socket_type::pull), push(context, zmq::socket_type::push);
  pull.set(zmq::sockopt::maxmsgsize, wire::kMaxMessageBytes);
  pull.bind("tcp://127.0.0.1:*");
  push.connect(pull.get(zmq::sockopt::last_endpoint));
  const std::string fixed = MakeBatch(0).SerializeAsString();
  const auto start = std::chrono::steady_clock::now();
  std::thread sender([&] {
    for (int i = 0; i < messages; ++i) {
      if (mode == 1) {
        push.send(zmq::buffer(MakeBatch(static_cast<uint64_t>(i)).SerializeAsString()));
      } else {
        push.send(zmq::buffer(fixed));
      }
    }
  });
  wire::Expectations expect;
  expect.action_space_hash = envs::ActionSpaceHash();
  expect.obs_dim = actors::kObservationDim;
  expect.num_actions = envs::kNumActions;
  int64_t transitions = 0;
  proto::ActorMessage decoded;  // reused, as the learner's ingest thread does
  for (int i = 0; i < messages; ++i) {
    zmq::message_t m;
    if (!pull.recv(m)) std::abort();
    if (passrl_path) {
      if (!wire::DecodeActorMessageInto(
               absl::string_view(static_cast<const char*>(m.data()), m.size()), expect, &decoded)
               .ok()) {
        std::abort();
      }
      learner::InsertBatch(decoded.batch(), 1, 1, benchmarks, *replay);
    }
    transitions += kBatch;
  }
  sender.join();
  return static_cast<double>(transitions) /
         std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Main(int argc, char** argv) {
  int messages = 20000, reps = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--messages")) messages = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--reps")) reps = std::atoi(argv[i + 1]);
  }
  replay::ReplayOptions o;
  o.capacity = 1'000'000;
  o.obs_dim = actors::kObservationDim;
  auto replay = *replay::ReplayBuffer::Create(o);
  std::vector<double> raw, ours, receive;
  for (int r = 0; r < reps; ++r) {
    raw.push_back(Run(0, messages, nullptr));
    ours.push_back(Run(1, messages, replay.get()));
    receive.push_back(Run(2, messages, replay.get()));
  }
  std::sort(raw.begin(), raw.end());
  std::sort(ours.begin(), ours.end());
  std::sort(receive.begin(), receive.end());
  const double mr = raw[raw.size() / 2], mo = ours[ours.size() / 2];
  const double mi = receive[receive.size() / 2];
  std::printf(
      "| message | raw libzmq PUSH/PULL | passrl (serialize + validate + replay insert) | "
      "ratio |\n|---|---|---|---|\n");
  std::printf("| %d transitions, %zu bytes | %.0f transitions/s | %.0f transitions/s | %.0f%% |\n",
              kBatch, MakeBatch(0).SerializeAsString().size(), mr, mo, 100 * mo / mr);
  std::printf(
      "\nLearner side alone (pre-serialized sends; decode + validate + insert): %.0f "
      "transitions/s, %.0f%% of raw.\n",
      mi, 100 * mi / mr);
  return 0;
}

}  // namespace
}  // namespace passrl

int main(int argc, char** argv) { return passrl::Main(argc, argv); }
