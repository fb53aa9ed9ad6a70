// Put and get throughput of EncryptedStore over MemoryStore next to the plain MemoryStore, on one
// thread and on every core (each thread its own object), plus the raw AES-256-GCM rate of the
// crypto unit for reference. Throughput counts plaintext bytes.
// usage: crypto_bench [--size-mib N] [--min-seconds S] [--threads T]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ndbucket/crypto/aes_gcm.hpp"
#include "ndbucket/crypto/keys.hpp"
#include "ndbucket/store/encrypted_store.hpp"
#include "ndbucket/store/memory_store.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Config {
  std::size_t size = 64u << 20;
  double min_seconds = 1.0;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
};

// Runs `op(thread)` on `threads` threads until min_seconds passed; returns GB/s of `bytes` per op.
double rate(unsigned threads, std::size_t bytes, double min_seconds,
            const std::function<void(unsigned)>& op) {
  for (unsigned t = 0; t < threads; ++t) op(t);  // warm up: allocations, page faults
  std::atomic<std::uint64_t> done{0};
  Clock::time_point start = Clock::now();
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      while (std::chrono::duration<double>(Clock::now() - start).count() < min_seconds) {
        op(t);
        ++done;
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return static_cast<double>(done.load()) * static_cast<double>(bytes) / seconds / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--size-mib") {
      config.size = std::strtoull(argv[i + 1], nullptr, 10) << 20;
    } else if (flag == "--min-seconds") {
      config.min_seconds = std::strtod(argv[i + 1], nullptr);
    } else if (flag == "--threads") {
      config.threads = static_cast<unsigned>(std::strtoul(argv[i + 1], nullptr, 10));
    } else {
      std::fprintf(stderr, "usage: %s [--size-mib N] [--min-seconds S] [--threads T]\n", argv[0]);
      return 2;
    }
  }
  ndbucket::Bytes body(config.size);
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<std::byte>(i * 131 + 7);

  auto plain = std::make_shared<ndbucket::MemoryStore>("plain");
  auto encrypted = std::make_shared<ndbucket::EncryptedStore>(
      std::make_shared<ndbucket::MemoryStore>("sealed"),
      ndbucket::EncryptionOptions{
          .key = ndbucket::crypto::master_key(ndbucket::crypto::generate_master_key())});
  struct Row {
    const char* name;
    std::shared_ptr<ndbucket::ObjectStore> store;
  };
  const Row rows[] = {{"MemoryStore (plain)", plain}, {"EncryptedStore(Memory)", encrypted}};

  std::printf("object %zu MiB, %.1f s per cell, GB/s of plaintext (1 GB = 1e9 bytes)\n\n",
              config.size >> 20, config.min_seconds);
  std::printf(
      "| store | put 1 thread | get 1 thread | get_into 1 thread | put %u threads | get %u "
      "threads | get_into %u threads |\n",
      config.threads, config.threads, config.threads);
  std::printf("|---|---|---|---|---|---|---|\n");
  for (const Row& row : rows) {
    std::vector<ndbucket::Bytes> buffers(config.threads, ndbucket::Bytes(config.size));
    auto key = [](unsigned t) { return "bench/" + std::to_string(t); };
    auto put = [&](unsigned t) { row.store->put(key(t), body); };
    auto get = [&](unsigned t) { (void)row.store->get(key(t)); };
    auto get_into = [&](unsigned t) { row.store->get_into(key(t), buffers[t]); };
    double cells[6];
    int c = 0;
    for (unsigned threads : {1u, config.threads}) {
      cells[c++] = rate(threads, config.size, config.min_seconds, put);
      cells[c++] = rate(threads, config.size, config.min_seconds, get);
      cells[c++] = rate(threads, config.size, config.min_seconds, get_into);
    }
    std::printf("| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n", row.name, cells[0], cells[1],
                cells[2], cells[3], cells[4], cells[5]);
  }

  // The primitive alone: AES-256-GCM sealing 64 KiB segments in place, one thread.
  ndbucket::crypto::Aes256Gcm gcm(ndbucket::Bytes(32, std::byte{1}));
  ndbucket::Bytes segment((64u << 10) + 16);
  ndbucket::Bytes nonce(12);
  double gcm_rate = rate(1, 64u << 10, config.min_seconds, [&](unsigned) {
    nonce[0] = static_cast<std::byte>(static_cast<unsigned>(nonce[0]) + 1);
    gcm.seal(nonce, {}, ndbucket::ByteSpan(segment).first(64u << 10), segment);
  });
  std::printf("\nAES-256-GCM alone (64 KiB segments, 1 thread): %.2f GB/s\n", gcm_rate);
  return 0;
}
