#include "ndbucket/store/encrypted_store.hpp"

#include <bit>

#include "ndbucket/core/base64.hpp"
#include "ndbucket/crypto/secret_bytes.hpp"
#include "ndbucket/store/encryption_format.hpp"
#include "ndbucket/store/key.hpp"

namespace ndbucket {

namespace {

using encryption::Envelope;
using encryption::kSegmentTagSize;
using encryption::SealedHeader;

constexpr int kReadAttempts = 3;

std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
  std::uint64_t product = 0;
  return __builtin_mul_overflow(a, b, &product) ? UINT64_MAX : product;
}

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  std::uint64_t sum = 0;
  return __builtin_add_overflow(a, b, &sum) ? UINT64_MAX : sum;
}

// The wrapped byte range that covers plaintext `range` when the object's segments are
// `segment_size` long (nullopt: the whole object). Guessed before the object's size is known;
// read() checks it against the envelope and fetches again when the guess was short.
std::optional<ByteRange> ciphertext_range(const std::optional<ByteRange>& range,
                                          std::uint64_t segment_size) {
  if (!range) return std::nullopt;
  const std::uint64_t stride = segment_size + kSegmentTagSize;
  if (range->suffix) {
    // The last ceil(n / S) + 1 segments always hold the last n plaintext bytes.
    std::uint64_t segments = *range->suffix / segment_size + 2;
    return ByteRange::last(std::max<std::uint64_t>(saturating_mul(segments, stride), 1));
  }
  std::uint64_t first = range->offset / segment_size;
  std::uint64_t begin = saturating_mul(first, stride);
  if (!range->length || *range->length == 0) return ByteRange::from(begin);
  std::uint64_t last = (saturating_add(range->offset, *range->length) - 1) / segment_size;
  return ByteRange::span(begin, saturating_mul(last - first + 1, stride));
}

// Where a wrapped range starts in an object of `size` bytes.
std::uint64_t window_start(const std::optional<ByteRange>& range, std::uint64_t size) {
  if (!range) return 0;
  if (range->suffix) return size > *range->suffix ? size - *range->suffix : 0;
  return range->offset;
}

Metadata lower_names(const Metadata& metadata) {
  Metadata lowered;
  for (const auto& [name, value] : metadata) lowered[ascii_lower(name)] = value;
  return lowered;
}

}  // namespace

// An object's authenticated header: what every read needs before touching the body.
struct EncryptedStore::Opened {
  Envelope envelope;
  crypto::SecretBytes data_key;
  std::optional<crypto::SegmentCipher> cipher;  // keyed once, reused for the body
  SealedHeader header;
};

// Sealed segments fetched for a read, and where the plaintext range lies.
struct EncryptedStore::Window {
  Bytes bytes;
  std::size_t offset = 0;  // the first needed segment starts at bytes[offset]
  ObjectInfo inner_info;
  Opened opened;
  ResolvedRange plain;
};

EncryptedStore::EncryptedStore(std::shared_ptr<ObjectStore> inner, EncryptionOptions options)
    : inner_(std::move(inner)), options_(std::move(options)) {
  if (!inner_) throw Error(ErrorCode::InvalidArgument, "EncryptedStore needs a store to wrap");
  if (!options_.key) {
    throw Error(ErrorCode::InvalidArgument,
                "EncryptedStore over " + inner_->url() + " needs a key");
  }
  std::size_t segment = options_.segment_size;
  if (!std::has_single_bit(segment) || segment < (std::size_t{1} << encryption::kMinSegmentLog2) ||
      segment > (std::size_t{1} << encryption::kMaxSegmentLog2)) {
    throw Error(ErrorCode::InvalidArgument,
                "the encryption segment size must be a power of two from 4 KiB to 16 MiB, not " +
                    std::to_string(segment));
  }
  segment_log2_ = static_cast<std::uint8_t>(std::countr_zero(segment));
  std::set<std::string> ids{options_.key->id()};
  can_read_ = options_.key->can_unwrap();
  for (const crypto::KeyPtr& key : options_.decryption_keys) {
    if (!key) throw Error(ErrorCode::InvalidArgument, "a decryption key is null");
    if (!ids.insert(key->id()).second) {
      throw Error(ErrorCode::InvalidArgument, "two keys have the id '" + key->id() + "'");
    }
    can_read_ = can_read_ || key->can_unwrap();
  }
  std::set<std::string> plain;
  for (const std::string& name : options_.plaintext_metadata) {
    plain.insert(ascii_lower(name));
  }
  if (plain.contains(std::string(encryption::kEnvelopeMetadataName))) {
    throw Error(ErrorCode::InvalidArgument, "the metadata name 'ndbucket-encryption' is reserved");
  }
  options_.plaintext_metadata = std::move(plain);
}

std::string EncryptedStore::url() const { return inner_->url(); }

StoreCapabilities EncryptedStore::capabilities() const {
  StoreCapabilities capabilities = inner_->capabilities();
  capabilities.server_side_copy = false;
  return capabilities;
}

const crypto::KeyEncryptionKey& EncryptedStore::key_for(const std::string& id,
                                                        std::string_view key) const {
  if (options_.key->id() == id) return *options_.key;
  for (const crypto::KeyPtr& candidate : options_.decryption_keys) {
    if (candidate->id() == id) return *candidate;
  }
  throw Error(ErrorCode::PermissionDenied,
              describe(key) + " is encrypted under key '" + id + "', which this store lacks");
}

EncryptedStore::Opened EncryptedStore::open(std::string_view key,
                                            const ObjectInfo& inner_info) const {
  const std::string what = describe(key);
  auto found = inner_info.metadata.find(std::string(encryption::kEnvelopeMetadataName));
  if (found == inner_info.metadata.end()) {
    throw Error(ErrorCode::Corrupt,
                what + " is not an encrypted object (no ndbucket-encryption metadata)");
  }
  std::optional<Bytes> envelope_bytes = base64_decode(found->second);
  if (!envelope_bytes) {
    throw Error(ErrorCode::Corrupt, "the encryption envelope of " + what + " is not base64");
  }
  Opened opened;
  try {
    opened.envelope = encryption::parse_envelope(*envelope_bytes);
  } catch (const Error& error) {
    throw Error(ErrorCode::Corrupt, error.message() + " (" + what + ")");
  }
  const crypto::KeyEncryptionKey& master = key_for(opened.envelope.key_id, key);
  if (master.algorithm() != opened.envelope.algorithm) {
    throw Error(ErrorCode::Corrupt, "the encryption envelope of " + what +
                                        " names another wrap algorithm than key '" + master.id() +
                                        "' uses");
  }
  try {
    opened.data_key = master.unwrap(opened.envelope.wrapped_key);
  } catch (const Error& error) {
    throw Error(error.code(), error.message() + " (" + what + ")");
  }
  opened.cipher.emplace(encryption::object_cipher(opened.data_key.span(), opened.envelope, key));
  opened.header = encryption::open_sealed_header(*opened.cipher, opened.envelope, what);
  encryption::check_body_size(opened.header, opened.envelope, inner_info.size, what);
  // Plaintext copies are checked whatever this store's allow-list says, so readers configured
  // differently from the writer agree; a name the writer did not seal is never reported.
  for (const auto& [name, value] : inner_info.metadata) {
    auto sealed = opened.header.metadata.find(name);
    if (sealed != opened.header.metadata.end() && sealed->second != value) {
      throw Error(ErrorCode::Corrupt, "the plaintext metadata '" + name + "' of " + what +
                                          " differs from its sealed value");
    }
  }
  return opened;
}

ObjectInfo EncryptedStore::outer_info(ObjectInfo info, const Opened& opened) const {
  info.size = opened.header.size;
  info.metadata = opened.header.metadata;
  info.content_type = opened.header.content_type;
  return info;
}

ObjectInfo EncryptedStore::put(std::string_view key, ByteSpan body, const PutOptions& options) {
  validate_key(key, url());
  const std::uint64_t segment_size = std::uint64_t{1} << segment_log2_;
  if (encryption::segment_count(body.size(), segment_size) >= crypto::kMaxSegments) {
    throw Error(ErrorCode::InvalidArgument, describe(key) + ": too large to encrypt with " +
                                                std::to_string(segment_size) + "-byte segments");
  }
  SealedHeader header{body.size(), options.content_type, lower_names(options.metadata)};

  Envelope envelope;
  envelope.segment_log2 = segment_log2_;
  envelope.algorithm = options_.key->algorithm();
  envelope.key_id = options_.key->id();
  crypto::SecretBytes data_key = crypto::random_secret(crypto::kAes256KeySize);
  crypto::random_fill(envelope.nonce_prefix);
  envelope.wrapped_key = options_.key->wrap(data_key.span());
  crypto::SegmentCipher cipher = encryption::object_cipher(data_key.span(), envelope, key);

  Bytes sealed_plain = encryption::encode_sealed_header(header);
  envelope.sealed_header.resize(sealed_plain.size() + kSegmentTagSize);
  cipher.seal_header(sealed_plain, envelope.sealed_header);

  // Not value-initialised: every byte is written by seal_body, so zeroing would be a wasted pass.
  const std::size_t sealed_size =
      static_cast<std::size_t>(encryption::ciphertext_size(body.size(), segment_size));
  std::unique_ptr<std::byte[]> sealed_body(new std::byte[sealed_size]);
  MutableByteSpan ciphertext(sealed_body.get(), sealed_size);
  encryption::seal_body(cipher, segment_size, body, ciphertext);

  PutOptions inner_options;
  inner_options.content_type = std::string(kDefaultContentType);
  for (const auto& [name, value] : header.metadata) {
    if (options_.plaintext_metadata.contains(name)) inner_options.metadata[name] = value;
  }
  inner_options.metadata[std::string(encryption::kEnvelopeMetadataName)] =
      base64_encode(encryption::encode_envelope(envelope));
  ObjectInfo info = inner_->put(key, ciphertext, inner_options);
  info.size = header.size;
  info.metadata = std::move(header.metadata);
  info.content_type = std::move(header.content_type);
  return info;
}

EncryptedStore::Window EncryptedStore::read(std::string_view key,
                                            const std::optional<ByteRange>& range) {
  validate_key(key, url());
  if (!can_read_) {
    throw Error(ErrorCode::PermissionDenied,
                describe(key) + ": this store holds only a public key: it can write, not read");
  }
  const std::string what = describe(key);
  std::optional<ByteRange> wanted = ciphertext_range(range, std::uint64_t{1} << segment_log2_);
  for (int attempt = 0; attempt < kReadAttempts; ++attempt) {
    GetResult fetched;
    try {
      fetched = inner_->get(key, wanted);
    } catch (const Error& error) {
      if (error.code() != ErrorCode::InvalidArgument || !wanted) throw;
      // The wrapped range is unsatisfiable: either the plaintext range is past the end (say so
      // in plaintext terms) or the body was cut short (Corrupt). open() tells which.
      std::optional<ObjectInfo> info = inner_->head(key);
      if (!info) throw;
      Opened opened = open(key, *info);
      resolve_range(*range, opened.header.size, what);
      throw;
    }
    Window window;
    window.opened = open(key, fetched.info);
    const std::uint64_t segment_size = window.opened.envelope.segment_size();
    const std::uint64_t size = window.opened.header.size;
    window.plain = range ? resolve_range(*range, size, what) : ResolvedRange{0, size};
    // The sealed bytes of the segments covering the plaintext range.
    const std::uint64_t stride = segment_size + kSegmentTagSize;
    const std::uint64_t first = window.plain.begin / segment_size;
    const std::uint64_t last =
        window.plain.end > window.plain.begin ? (window.plain.end - 1) / segment_size : first;
    const std::uint64_t need_begin = first * stride;
    const std::uint64_t need_end = std::min(fetched.info.size, (last + 1) * stride);
    const std::uint64_t have_begin = window_start(wanted, fetched.info.size);
    const std::uint64_t have_end = have_begin + fetched.body.size();
    if (need_begin >= have_begin && need_end <= have_end) {
      window.bytes = std::move(fetched.body);
      window.offset = static_cast<std::size_t>(need_begin - have_begin);
      window.inner_info = std::move(fetched.info);
      return window;
    }
    // The object was written with another segment size than this store's (or was replaced
    // between two reads): fetch exactly what this response's envelope calls for. Each attempt
    // uses the envelope and body of one response only, so versions never mix.
    wanted = ByteRange::span(need_begin, need_end - need_begin);
  }
  throw Error(ErrorCode::Unavailable, what + " kept changing while being read");
}

void EncryptedStore::decrypt(std::string_view key, Window& window, std::byte* out) const {
  encryption::open_segments(*window.opened.cipher, window.opened.envelope.segment_size(),
                            window.opened.header.size,
                            MutableByteSpan(window.bytes).subspan(window.offset),
                            window.plain.begin, window.plain.end, out, describe(key));
}

GetResult EncryptedStore::get(std::string_view key, const std::optional<ByteRange>& range) {
  Window window = read(key, range);
  // Decrypted in place and moved to the front of the same buffer: no second body-sized buffer.
  decrypt(key, window, window.bytes.data());
  window.bytes.resize(window.plain.end - window.plain.begin);
  return GetResult{std::move(window.bytes),
                   outer_info(std::move(window.inner_info), window.opened)};
}

ObjectInfo EncryptedStore::get_into(std::string_view key, MutableByteSpan destination,
                                    const std::optional<ByteRange>& range) {
  Window window = read(key, range);
  check_destination_size(window.plain.end - window.plain.begin, destination.size(), describe(key));
  decrypt(key, window, destination.data());
  return outer_info(std::move(window.inner_info), window.opened);
}

std::optional<ObjectInfo> EncryptedStore::head(std::string_view key) {
  validate_key(key, url());
  std::optional<ObjectInfo> info = inner_->head(key);
  if (!info) return std::nullopt;
  if (!can_read_) {
    // Write-only: what the ciphertext size and the plaintext copies say, unauthenticated.
    info->size =
        encryption::plaintext_size(info->size, std::uint64_t{1} << segment_log2_).value_or(0);
    Metadata plain;
    for (const auto& [name, value] : info->metadata) {
      if (options_.plaintext_metadata.contains(name)) plain[name] = value;
    }
    info->metadata = std::move(plain);
    return info;
  }
  Opened opened = open(key, *info);
  return outer_info(std::move(*info), opened);
}

void EncryptedStore::list_pages(std::string_view prefix, const ListOptions& options,
                                const std::function<bool(ListPage&)>& on_page) {
  const std::uint64_t segment_size = std::uint64_t{1} << segment_log2_;
  inner_->list_pages(prefix, options, [&](ListPage& page) {
    for (ObjectInfo& info : page.objects) {
      info.size = encryption::plaintext_size(info.size, segment_size).value_or(0);
    }
    return on_page(page);
  });
}

void EncryptedStore::remove(std::string_view key) {
  validate_key(key, url());
  inner_->remove(key);
}

std::vector<std::optional<Error>> EncryptedStore::remove_many(
    const std::vector<std::string>& keys) {
  return inner_->remove_many(keys);
}

ObjectInfo EncryptedStore::copy(std::string_view source, std::string_view destination) {
  validate_key(source, url());
  validate_key(destination, url());
  GetResult read_back = get(source);
  return put(
      destination, read_back.body,
      PutOptions{std::move(read_back.info.metadata), std::move(read_back.info.content_type)});
}

bool EncryptedStore::rewrap(std::string_view key) {
  validate_key(key, url());
  GetResult fetched = inner_->get(key);
  Opened opened = open(key, fetched.info);
  if (opened.envelope.key_id == options_.key->id()) return false;
  Envelope envelope = opened.envelope;
  envelope.algorithm = options_.key->algorithm();
  envelope.key_id = options_.key->id();
  envelope.wrapped_key = options_.key->wrap(opened.data_key.span());
  PutOptions inner_options{fetched.info.metadata, fetched.info.content_type};
  inner_options.metadata[std::string(encryption::kEnvelopeMetadataName)] =
      base64_encode(encryption::encode_envelope(envelope));
  inner_->put(key, fetched.body, inner_options);
  return true;
}

EncryptedStore::RewrapSummary EncryptedStore::rewrap_all(std::string_view prefix) {
  RewrapSummary summary;
  inner_->list_pages(prefix, {}, [&](ListPage& page) {
    for (const ObjectInfo& info : page.objects) {
      if (rewrap(info.key)) {
        ++summary.rewrapped;
      } else {
        ++summary.unchanged;
      }
    }
    return true;
  });
  return summary;
}

}  // namespace ndbucket
