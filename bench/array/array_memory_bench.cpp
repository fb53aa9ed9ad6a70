// Peak memory of loading an N-byte array, measured in a fresh process per load.
//   array_memory_bench save DIR MIB COMPRESSION   writes a float64 array of MIB MiB as "bench"
//   array_memory_bench load DIR                   loads it; prints "N BASELINE_KIB PEAK_KIB"
#include <sys/resource.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ndbucket/array/array_store.hpp"
#include "ndbucket/store/file_store.hpp"

namespace {

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s save DIR MIB COMPRESSION | load DIR\n", argv[0]);
    return 2;
  }
  std::string mode = argv[1];
  long baseline = peak_rss_kib();
  auto store = std::make_shared<ndbucket::FileStore>(argv[2]);
  ndbucket::ArrayStore arrays(store);
  if (mode == "save" && argc == 5) {
    std::size_t count = std::strtoull(argv[3], nullptr, 10) * (1u << 20) / sizeof(double);
    ndbucket::Array array(ndbucket::DType::of<double>(), ndbucket::Shape{{count}});
    auto* values = reinterpret_cast<double*>(array.bytes().data());
    // A smooth signal with noise: compressible, as measurements are.
    for (std::size_t i = 0; i < count; ++i) values[i] = std::sin(i * 1e-3) + (i % 7) * 1e-6;
    arrays.save("bench", array.view(), {.compression = std::string(argv[4]), .metadata = {}});
    return 0;
  }
  if (mode == "load") {
    ndbucket::Array loaded = arrays.load("bench");
    std::printf("%zu %ld %ld\n", loaded.bytes().size(), baseline, peak_rss_kib());
    return 0;
  }
  std::fprintf(stderr, "unknown mode '%s'\n", mode.c_str());
  return 2;
}
