// Chunked-array reads: requests, bytes fetched and seconds of a region read and a whole read.
//   chunked_bench write URL N COMPRESSOR   writes an N x N float32 Zarr array "bench" (chunks
//                                          1024 x 1024 = 4 MiB; COMPRESSOR a codec id or "none")
//   chunked_bench read URL R0:R1,C0:C1     reads that region (best of 3) and the whole array;
//                                          prints "ndbucket <case> <requests> <bytes> <seconds>"
// URL: a local directory (FileStore without fsync) or any store URL (s3://...?endpoint=...).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "ndbucket/array/chunked.hpp"
#include "ndbucket/store/file_store.hpp"
#include "ndbucket/store/open_store.hpp"

// After the ndbucket headers (dtype.hpp before bytes.hpp).
#include "chunked/counting_store.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::shared_ptr<ndbucket::ObjectStore> open_bench_store(const std::string& url) {
  if (url.find("://") == std::string::npos) {
    return std::make_shared<ndbucket::FileStore>(
        url, ndbucket::FileStoreOptions{.create_root = true, .sync = false});
  }
  return ndbucket::open_store(url);
}

void report(const char* name, const ndbucket::testing::CountingStore& store, double seconds) {
  std::printf("ndbucket %s %zu %llu %.3f\n", name, store.requests("get") + store.requests("head"),
              static_cast<unsigned long long>(store.bytes_read()), seconds);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s write URL N COMPRESSOR | read URL REGION\n", argv[0]);
    return 2;
  }
  std::string mode = argv[1];
  try {
    auto store = open_bench_store(argv[2]);
    if (mode == "write" && argc == 5) {
      std::size_t n = std::stoull(argv[3]);
      ndbucket::Array array(ndbucket::DType::of<float>(), ndbucket::Shape{n, n});
      float* v = array.values<float>().data();
      // A smooth field with fine noise: compressible as measurements are, not trivially so.
      for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
          v[i * n + j] = static_cast<float>(std::sin(i * 1e-3) * std::cos(j * 7e-4) +
                                            static_cast<double>((i * 31 + j * 17) % 101) * 1e-4);
        }
      }
      std::string compressor = argv[4];
      auto start = Clock::now();
      ndbucket::save_chunked(
          store, "bench", array.view(),
          {.create = {.chunks = {1024, 1024},
                      .compressor = compressor == "none" ? nlohmann::json(nullptr)
                                                         : nlohmann::json(compressor),
                      .overwrite = true},
           .io = {}});
      std::fprintf(stderr, "wrote %zu x %zu float32 in %.2f s\n", n, n,
                   std::chrono::duration<double>(Clock::now() - start).count());
      return 0;
    }
    if (mode == "read") {
      auto counting = std::make_shared<ndbucket::testing::CountingStore>(store);
      ndbucket::Region region = ndbucket::parse_region(argv[3]);
      double best = 1e30;
      for (int i = 0; i < 3; ++i) {
        counting->reset();
        auto start = Clock::now();
        ndbucket::ChunkedArray array = ndbucket::ChunkedArray::open(counting, "bench");
        ndbucket::Array part = array.read(region);
        best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
      }
      report("region", *counting, best);
      counting->reset();
      auto start = Clock::now();
      ndbucket::Array whole = ndbucket::ChunkedArray::open(counting, "bench").read();
      report("whole", *counting, std::chrono::duration<double>(Clock::now() - start).count());
      return 0;
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "chunked_bench: %s\n", error.what());
    return 1;
  }
  std::fprintf(stderr, "usage: %s write URL N COMPRESSOR | read URL REGION\n", argv[0]);
  return 2;
}
