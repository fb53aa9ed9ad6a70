#include "cli/progress_bar.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace ndbucket::cli {

namespace {
constexpr auto kQuietStart = std::chrono::seconds(1);  // short transfers draw nothing
constexpr auto kRedrawEvery = std::chrono::milliseconds(100);
constexpr int kWidth = 30;

std::string mebibytes(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return text;
}
}  // namespace

ProgressBar::ProgressBar(std::string label, bool enabled)
    : label_(std::move(label)), start_(std::chrono::steady_clock::now()) {
  const char* mode = std::getenv("NDBUCKET_PROGRESS");
  bool always = mode && std::string_view(mode) == "always";
  enabled_ = enabled && (always || ::isatty(STDERR_FILENO));
  if (const char* delay = std::getenv("NDBUCKET_PROGRESS_DELAY_MS")) {
    quiet_start_ = std::chrono::milliseconds(std::atol(delay));
  }
}

ProgressBar::~ProgressBar() {
  if (drawn_) std::fputs("\n", stderr);
}

void ProgressBar::update(std::uint64_t done, std::uint64_t total) {
  if (!enabled_) return;
  std::lock_guard guard(mutex_);
  auto now = std::chrono::steady_clock::now();
  bool finished = done >= total;
  if (now - start_ < quiet_start_ || (!finished && now - last_draw_ < kRedrawEvery)) return;
  last_draw_ = now;
  int filled = total == 0 ? kWidth : static_cast<int>(kWidth * done / total);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(kWidth, ' ');
  int percent = total == 0 ? 100 : static_cast<int>(100 * done / total);
  std::fprintf(stderr, "\r%s [%s] %3d%% %s / %s", label_.c_str(), bar.c_str(), percent,
               mebibytes(done).c_str(), mebibytes(total).c_str());
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace ndbucket::cli
