// A progress bar on stderr for long transfers: drawn only when stderr is a terminal, only once
// the transfer has run for a second, and at most ten times a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace ndbucket::cli {

class ProgressBar {
 public:
  // `enabled` false (--quiet, --json) draws nothing; so does a stderr that is not a terminal,
  // unless NDBUCKET_PROGRESS=always. Drawing starts after a second, or after
  // $NDBUCKET_PROGRESS_DELAY_MS (tests of the drawing itself set 0).
  ProgressBar(std::string label, bool enabled);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Thread safety: may be called from several threads.
  void update(std::uint64_t done, std::uint64_t total);

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::milliseconds quiet_start_{1000};  // short transfers draw nothing
  std::chrono::steady_clock::time_point start_, last_draw_;
  std::mutex mutex_;
};

}  // namespace ndbucket::cli
