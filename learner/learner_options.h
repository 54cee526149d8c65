// The learner's settings (learner/learner.h), as plain data: the training config (launch/config.h)
// is composed of them and of the actors' options, without LibTorch or ZeroMQ.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "learner/checkpoint.h"
#include "learner/sac_options.h"
#include "replay/replay_buffer.h"

namespace passrl::learner {

struct LearnerOptions {
  SacOptions sac;
  replay::ReplayOptions replay;
  int batch_size = 256;
  int64_t warmup_transitions = 1000;  // no update before the buffer holds this many
  double samples_per_insert = 8;      // rate limiter: sampled transitions per inserted one
  int publish_every = 50;             // updates between weight broadcasts
  int io_threads = 2;                 // ZeroMQ I/O threads (socket reads and writes)
  // LibTorch intra-op threads for the update; 0: the CPUs this process may run on less two (the
  // ingest thread and ZeroMQ's I/O need them: measured, a learner whose update threads took every
  // CPU of this 2-core VM made 1 update/s instead of 40 while ingesting).
  int torch_threads = 0;
  // A sampler thread assembles the next batch during the update: "auto" (on with CUDA, where
  // host work overlaps the device's; on this CPU it measured 0.95x-1.08x), "on", "off".
  std::string prefetch = "auto";
  // MiB of freed heap the learner keeps instead of returning it to the kernel (common/
  // heap_retention.h): the update's tensors reuse it rather than faulting in fresh pages each
  // update (measured: BENCHMARKS.md, "Update loop"); resident memory may stay this much above
  // what is in use. 0: the C library's defaults.
  int retain_heap_mb = 64;
  bool weights_float16 = false;       // broadcast the policy as float16 (half the bytes)
  double duration_seconds = 120;      // then stop (0: until SIGTERM/SIGINT)
  double heartbeat_timeout_seconds = 30;
  double progress_seconds = 1;
  std::string bind_host = "*";
  int port = 0;          // transitions (PULL); 0: any free port
  int weights_port = 0;  // weights (PUB); 0: any free port
  std::string run_dir = "runs/local";  // the training config's default
  double snapshot_seconds = 900;  // policy snapshots (run_dir/policy-<seconds>s.pb); 0: end only
  double validation_seconds = 0;  // learning-curve points (learner/validator.h); 0: none
  uint64_t action_space_hash = 0;
  std::string baseline = "-Oz";  // what the progress line's "best" ratio is against
  std::string horizon;           // the actors' env.horizon, recorded in checkpoints
  CheckpointOptions checkpoint;  // checkpoint.dir empty: <run_dir>/checkpoints
  std::string resume_from;       // a run dir or checkpoint to continue; empty: a fresh run
  bool resume_fallback = false;  // if the latest checkpoint is bad, resume from an older one
  std::string config_yaml;       // written to run_dir/config.yaml and stored in checkpoints
  std::string curve_dir;         // CurveZMQ key directory (proto/curve.h); empty: no authentication
  absl::Status Validate() const;
  // The update's intra-op threads and whether a sampler thread prefetches, on `cpus` CPUs.
  int UpdateThreads(int cpus) const;
  bool Prefetch(bool cuda) const;
};

}  // namespace passrl::learner
