#include "context_pool.hpp"

#include <algorithm>
#include <thread>

namespace ndbucket::codec_detail {

std::size_t default_pool_size() noexcept {
  return std::max<std::size_t>(2, std::thread::hardware_concurrency());
}

}  // namespace ndbucket::codec_detail
