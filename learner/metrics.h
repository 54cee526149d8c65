// Run metrics: one JSON object per line in <run_dir>/metrics.jsonl, and the same scalars in a
// TensorBoard event file (<run_dir>/tb/events.out.tfevents.*), written without TensorFlow: TFRecord
// framing with masked CRC32C around TbEvent protobufs. Not thread-safe: the learner's loop owns it.
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace passrl::learner {

class MetricsWriter {
 public:
  static absl::StatusOr<std::unique_ptr<MetricsWriter>> Open(const std::string& run_dir);
  // Writes every scalar at `step` (JSONL line includes "step" and "time").
  void Write(int64_t step, const std::map<std::string, double>& scalars);

 private:
  MetricsWriter() = default;
  void WriteRecord(const std::string& data);
  std::ofstream jsonl_, events_;
};

}  // namespace passrl::learner
