// ndbucket's side of bench/run_transfer.sh: one operation per process, so the peak RSS printed is
// that operation's. Prints one JSON line: {"client","op","seconds","cpu_seconds","bytes",
// "peak_rss_mib"}.
//
// usage: transfer_bench ENDPOINT ACCESS_KEY SECRET_KEY BUCKET OP [CONCURRENCY [unsigned]]
//   OP: setup (bucket, 2,000 x 64 KiB objects, one 1 GiB object), get_many, download, upload,
//       upload_stream (the same 1 GiB through an ObjectWriter in 8 MiB writes), cleanup (removes
//       the uploaded objects)
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <random>
#include <string>

#include "ndbucket/store/s3_store.hpp"
#include "ndbucket/transfer/batch.hpp"
#include "ndbucket/transfer/object_writer.hpp"
#include "ndbucket/transfer/ranged_download.hpp"

namespace {

using namespace ndbucket;

constexpr std::size_t kSmallCount = 2000;
constexpr std::size_t kSmallSize = 64 * 1024;
constexpr std::size_t kBigSize = std::size_t{1} << 30;

std::string small_key(std::size_t i) {
  char name[32];
  std::snprintf(name, sizeof name, "small/%05zu", i);
  return name;
}

Bytes pattern(std::size_t size, std::uint64_t seed) {
  Bytes bytes(size);
  std::mt19937_64 rng(seed);
  for (std::size_t i = 0; i + 8 <= size; i += 8) {
    std::uint64_t value = rng();
    std::memcpy(bytes.data() + i, &value, 8);
  }
  return bytes;
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;
}

// Runs `work` (which returns the bytes it moved) and prints its measurements.
template <typename Work>
void measure(const std::string& client, const std::string& op, Work&& work) {
  double cpu_before = cpu_seconds();
  auto start = std::chrono::steady_clock::now();
  std::uint64_t bytes = work();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu = cpu_seconds() - cpu_before;
  std::printf(
      "{\"client\":\"%s\",\"op\":\"%s\",\"seconds\":%.3f,\"cpu_seconds\":%.3f,"
      "\"bytes\":%llu,\"peak_rss_mib\":%.1f}\n",
      client.c_str(), op.c_str(), seconds, cpu, static_cast<unsigned long long>(bytes), peak_rss_mib());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::cerr << "usage: transfer_bench ENDPOINT ACCESS_KEY SECRET_KEY BUCKET OP [CONCURRENCY]\n";
    return 2;
  }
  try {
    S3Config config;
    config.endpoint = argv[1];
    config.access_key_id = argv[2];
    config.secret_access_key = argv[3];
    config.bucket = argv[4];
    config.region = "us-east-1";
    config.addressing = S3Addressing::Path;
    const std::string op = argv[5];
    const int concurrency = argc > 6 ? std::stoi(argv[6]) : 8;
    config.concurrency = concurrency;
    // "unsigned": send UNSIGNED-PAYLOAD as the CRT does (Content-MD5 still guards each body).
    const bool unsigned_payload = argc > 7 && std::string(argv[7]) == "unsigned";
    config.unsigned_payload = unsigned_payload;
    auto store = std::make_shared<S3Store>(config);
    const std::string client = unsigned_payload ? "ndbucket-unsigned" : "ndbucket";
    TransferOptions transfer;
    transfer.concurrency = static_cast<std::size_t>(concurrency);

    if (op == "setup") {
      store->create_bucket();
      Bytes small = pattern(kSmallSize * kSmallCount, 1);
      std::vector<PutRequest> puts;
      for (std::size_t i = 0; i < kSmallCount; ++i) {
        puts.push_back({small_key(i), ByteSpan(small).subspan(i * kSmallSize, kSmallSize)});
      }
      for (const PutItem& item : put_many(*store, puts, transfer)) {
        if (!item.ok()) throw *item.error;
      }
      store->put("big/source", pattern(kBigSize, 2));
      std::cerr << "setup: " << kSmallCount << " x 64 KiB and 1 GiB in s3://" << config.bucket
                << "\n";
    } else if (op == "get_many") {
      std::vector<GetRequest> requests;
      for (std::size_t i = 0; i < kSmallCount; ++i) requests.emplace_back(small_key(i));
      measure(client, op, [&] {
        std::uint64_t total = 0;
        for (const GetItem& item : get_many(*store, requests, transfer)) {
          if (!item.ok()) throw *item.error;
          total += item.body.size();
        }
        return total;
      });
    } else if (op == "download") {
      Bytes destination(kBigSize);  // allocated and zeroed before timing, as the others do
      RangedDownloadOptions options;
      options.transfer = transfer;
      measure(client, op, [&] {
        download_into(*store, "big/source", destination, options);
        return std::uint64_t{kBigSize};
      });
    } else if (op == "upload" || op == "upload_stream") {
      Bytes body = pattern(kBigSize, 3);
      measure(client, op, [&] {
        if (op == "upload") {
          store->put("big/upload-ndbucket", body);
        } else {
          ObjectWriter writer(store, "big/upload-ndbucket");
          for (std::size_t offset = 0; offset < body.size(); offset += 8u << 20) {
            writer.write(ByteSpan(body).subspan(offset, 8u << 20));
          }
          writer.close();
        }
        return std::uint64_t{kBigSize};
      });
    } else if (op == "cleanup") {
      // The uploads' objects go at once, so RGW's garbage collector can free their memory.
      store->remove_many({"big/upload-ndbucket", "big/upload-boto3", "big/upload-crt"});
    } else {
      std::cerr << "unknown operation " << op << "\n";
      return 2;
    }
  } catch (const std::exception& error) {
    std::cerr << "transfer_bench: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
