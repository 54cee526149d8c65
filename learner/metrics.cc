#include "learner/metrics.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/crc32c.h"
#include "nlohmann/json.hpp"
#include "passrl.pb.h"

namespace passrl::learner {
namespace {

double WallTime() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsWriter>> MetricsWriter::Open(const std::string& run_dir) {
  std::error_code ec;
  std::filesystem::create_directories(run_dir + "/tb", ec);
  std::unique_ptr<MetricsWriter> w(new MetricsWriter());
  w->jsonl_.open(run_dir + "/metrics.jsonl", std::ios::app);
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  const std::string events = absl::StrCat(run_dir, "/tb/events.out.tfevents.",
                                          static_cast<int64_t>(WallTime()), ".", host);
  w->events_.open(events, std::ios::binary | std::ios::app);
  if (!w->jsonl_ || !w->events_) {
    return absl::PermissionDeniedError(absl::StrCat("cannot write metrics under ", run_dir));
  }
  proto::TbEvent header;
  header.set_wall_time(WallTime());
  header.set_file_version("brain.Event:2");
  w->WriteRecord(header.SerializeAsString());
  return w;
}

void MetricsWriter::WriteRecord(const std::string& data) {
  const uint64_t length = data.size();
  char header[12];
  std::memcpy(header, &length, 8);
  const uint32_t length_crc = MaskedCrc32c(header, 8);
  std::memcpy(header + 8, &length_crc, 4);
  const uint32_t data_crc = MaskedCrc32c(data.data(), data.size());
  events_.write(header, 12);
  events_.write(data.data(), static_cast<std::streamsize>(data.size()));
  events_.write(reinterpret_cast<const char*>(&data_crc), 4);
  events_.flush();
}

void MetricsWriter::Write(int64_t step, const std::map<std::string, double>& scalars) {
  nlohmann::json line = {{"step", step}, {"time", WallTime()}};
  proto::TbEvent event;
  event.set_wall_time(WallTime());
  event.set_step(step);
  for (const auto& [tag, value] : scalars) {
    line[tag] = std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
    proto::TbSummary::Value* v = event.mutable_summary()->add_value();
    v->set_tag(tag);
    v->set_simple_value(static_cast<float>(value));
  }
  jsonl_ << line.dump() << "\n";
  jsonl_.flush();
  WriteRecord(event.SerializeAsString());
}

}  // namespace passrl::learner
