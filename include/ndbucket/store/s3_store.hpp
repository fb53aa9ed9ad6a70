// S3Store: an S3-compatible bucket (AWS S3, Ceph RGW, MinIO, moto ...) as an ObjectStore, on
// libcurl and OpenSSL (no AWS SDK).
//
// Requests are signed with AWS Signature Version 4 (payload SHA-256 signed by default). Bodies
// above `multipart_threshold` are uploaded as multipart uploads with parts sent in parallel,
// each with a Content-MD5; a failed multipart upload is aborted so no parts linger. Transient
// failures (connection errors, HTTP 500/502/503/504/429, RequestTimeout) are retried with
// exponential backoff and full jitter, bounded in attempts and total time.
//
// Thread safety: all methods may be called concurrently; connections are pooled and reused.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ndbucket/store/object_store.hpp"

namespace ndbucket {

namespace s3 {
class HttpTransport;
}

enum class S3Addressing {
  Auto,           // virtual-hosted for AWS endpoints, path-style for custom endpoints
  Path,           // http://endpoint/bucket/key (RGW, MinIO, moto)
  VirtualHosted,  // http://bucket.endpoint/key
};

struct RetryPolicy {
  int max_attempts = 8;                          // including the first try
  std::chrono::milliseconds base_delay{100};     // backoff ceiling doubles from here
  std::chrono::milliseconds max_delay{10'000};   // cap of one wait
  std::chrono::milliseconds max_total{120'000};  // no retry starts after this much time
};

struct S3Config {
  std::string bucket;  // required
  std::string prefix;  // applied by open_s3_store through a PrefixStore; S3Store ignores it
  // "http://127.0.0.1:7480". Empty: $AWS_ENDPOINT_URL_S3, then $AWS_ENDPOINT_URL, then AWS
  // (https://s3.<region>.amazonaws.com).
  std::string endpoint;
  // Empty: $AWS_REGION, then $AWS_DEFAULT_REGION, then the profile's region, then us-east-1.
  std::string region;
  S3Addressing addressing = S3Addressing::Auto;

  // Credentials, first found wins: these fields; $AWS_ACCESS_KEY_ID/$AWS_SECRET_ACCESS_KEY/
  // $AWS_SESSION_TOKEN; the profile ($AWS_PROFILE or `profile`, default "default") in
  // ~/.aws/credentials and ~/.aws/config ($AWS_SHARED_CREDENTIALS_FILE, $AWS_CONFIG_FILE);
  // cottoncandy's ~/.passwd-s3fs (ACCESS:SECRET); $AWS_ACCESS_KEY/$AWS_SECRET_KEY.
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string profile;
  bool anonymous = false;  // send unsigned requests (public buckets); never a fallback

  // Send "UNSIGNED-PAYLOAD" instead of the body's SHA-256 (saves hashing; HTTPS only, since the
  // body is then protected by TLS and Content-MD5 alone).
  bool unsigned_payload = false;
  std::string canned_acl;  // x-amz-acl on puts and copies, e.g. "authenticated-read"; "" none

  // Bodies larger than this go multipart. 16 MiB: small objects keep one request, while a
  // large body gets parallel parts early enough to use the bandwidth.
  std::uint64_t multipart_threshold = 16u << 20;
  // 8 MiB parts, as aws-c-s3 uses: big enough for throughput, small enough to retry cheaply.
  // Raised automatically to keep within S3's 10,000 parts; never below S3's 5 MiB minimum.
  std::uint64_t part_size = 8u << 20;
  int concurrency = 8;  // parallel part uploads per put / copy
  // CopyObject copies up to 5 GiB (S3's limit); larger objects are copied part by part on the
  // server (UploadPartCopy) in parts of copy_part_size: large, since no bytes pass through here.
  std::uint64_t multipart_copy_threshold = 5ull << 30;
  std::uint64_t copy_part_size = 512u << 20;

  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::seconds low_speed_time{30};  // abort a transfer stuck below 1 KiB/s this long
  bool verify_tls = true;                   // false only for test servers
  std::string ca_bundle;                    // PEM file; empty: the system's
  RetryPolicy retry;
  // Receives debug messages (each retry, failed aborts). Default: none.
  std::function<void(const std::string&)> log;
};

// One bucket of a listing of buckets.
struct BucketInfo {
  std::string name;
  std::chrono::system_clock::time_point created;
};

class S3Store final : public ObjectStore {
 public:
  // Resolves endpoint, region and credentials (see S3Config). Sends no request.
  // Errors: InvalidArgument (no bucket, malformed endpoint), PermissionDenied (no credentials
  // found and not anonymous; the message lists where it looked).
  explicit S3Store(S3Config config);
  // As above, sending requests through `transport` (tests wrap the real one to inject faults).
  S3Store(S3Config config, std::shared_ptr<s3::HttpTransport> transport);
  ~S3Store() override;

  ObjectInfo put(std::string_view key, ByteSpan body, const PutOptions& options = {}) override;
  // Streams into a multipart upload once more than multipart_threshold bytes were written (a
  // smaller body is sent as one PUT at commit); parts go out in the background, at most
  // `concurrency` at once, so memory stays near (concurrency + 1) * part_size + threshold.
  // Destroying it uncommitted aborts the multipart upload.
  std::unique_ptr<ObjectUpload> begin_upload(std::string_view key,
                                             const PutOptions& options = {}) override;
  GetResult get(std::string_view key, const std::optional<ByteRange>& range = {}) override;
  // The body is written into `destination` as it arrives, not buffered.
  ObjectInfo get_into(std::string_view key, MutableByteSpan destination,
                      const std::optional<ByteRange>& range = {}) override;
  std::optional<ObjectInfo> head(std::string_view key) override;
  void list_pages(std::string_view prefix, const ListOptions& options,
                  const std::function<bool(ListPage&)>& on_page) override;
  void remove(std::string_view key) override;
  // DeleteObjects in batches of 1,000, each key's error reported in its slot.
  std::vector<std::optional<Error>> remove_many(const std::vector<std::string>& keys) override;
  // CopyObject keeping metadata; multipart copy above 5 GiB.
  ObjectInfo copy(std::string_view source, std::string_view destination) override;
  std::string url() const override;  // "s3://bucket"; never contains credentials
  StoreCapabilities capabilities() const override;

  // Copy replacing the metadata and content type with `options`.
  ObjectInfo copy_with_metadata(std::string_view source, std::string_view destination,
                                const PutOptions& options);

  // --- Buckets. Errors as for objects. ---
  // Creates the bucket (no LocationConstraint for us-east-1). An owned bucket is not an error.
  void create_bucket();
  // True when the bucket exists, including when it exists but this key may not read it (403).
  bool bucket_exists();
  // Deletes the (empty) bucket. Errors: a non-empty bucket is AlreadyExists ("BucketNotEmpty").
  void remove_bucket();
  // The buckets of this account.
  std::vector<BucketInfo> list_buckets();

  // Multipart uploads started under `prefix` and neither completed nor aborted.
  struct MultipartUpload {
    std::string key;
    std::string upload_id;
    std::chrono::system_clock::time_point initiated;
  };
  std::vector<MultipartUpload> list_multipart_uploads(std::string_view prefix = "");
  // Aborts one, freeing its parts. Errors: NotFound for an unknown upload id.
  void abort_multipart_upload(std::string_view key, std::string_view upload_id);

  // A presigned URL anyone can GET (or PUT to) until it expires (at most 7 days).
  // Errors: InvalidArgument (bad expiry), Unsupported (anonymous store).
  std::string presign_get(std::string_view key, std::chrono::seconds expires);
  std::string presign_put(std::string_view key, std::chrono::seconds expires);

  const S3Config& config() const;

 private:
  struct Impl;
  class Upload;
  // A GET's answer: `info.size` is the whole object's; `ignored_range` flags a server that
  // answered 200 to a ranged request.
  struct Fetched;
  std::string presign(std::string_view method, std::string_view key, std::chrono::seconds expires);
  std::unique_ptr<Impl> impl_;
};

// An S3Store for config.bucket, wrapped in a PrefixStore when config.prefix is set.
std::shared_ptr<ObjectStore> open_s3_store(S3Config config);

// Parses "s3://[ACCESS:SECRET@]bucket[/prefix][?endpoint=URL&region=R&addressing=path|virtual|auto
// &profile=P&anonymous=1&unsigned_payload=1&verify_tls=0&acl=A]" into a config. Unknown query
// parameters are InvalidArgument (a typo must not be ignored silently).
S3Config parse_s3_url(std::string_view url);

}  // namespace ndbucket
