#include "ndbucket/transfer/object_reader.hpp"

#include <algorithm>
#include <cstring>
#include <future>
#include <limits>

namespace ndbucket {
namespace {

// Bytes of the object from `offset`, with the info of the response that carried them.
struct Chunk {
  std::uint64_t offset = 0;
  GetResult result;
};

Chunk fetch_chunk(ObjectStore& store, const std::string& key, std::uint64_t offset,
                  std::uint64_t length) {
  return Chunk{offset, store.get(key, ByteRange::span(offset, length))};
}

}  // namespace

struct ObjectReader::State {
  std::shared_ptr<ObjectStore> store;
  std::string key;
  ReaderOptions options;
  std::uint64_t position = 0;
  std::optional<ObjectInfo> pinned;

  // The buffered bytes (sequential: the current chunk; ranged: the buffer) and where they start.
  Bytes buffer;
  std::uint64_t buffer_offset = 0;
  // Sequential mode: the chunk being fetched in the background.
  std::future<Chunk> ahead;
  std::uint64_t ahead_offset = 0;

  ~State() {
    if (ahead.valid()) ahead.wait();
  }

  std::string name() const { return store->describe(key); }

  // Compares a response's info with the pinned one, pinning it when it is the first.
  void accept(const ObjectInfo& info) {
    if (!pinned) {
      pinned = info;
      pinned->key = key;
      return;
    }
    if (info.etag != pinned->etag || info.size != pinned->size) {
      throw Error(ErrorCode::Corrupt, name() + " was replaced while being read (ETag " +
                                          pinned->etag + " when first read, now " + info.etag +
                                          "); open a new reader to read the new version");
    }
  }

  void pin() {
    if (pinned) return;
    std::optional<ObjectInfo> info = store->head(key);
    if (!info) throw Error(ErrorCode::NotFound, "no object " + name());
    accept(*info);
  }

  // After a pinned request was refused as out of range: the object shrank (was replaced), or the
  // request really was bad.
  [[noreturn]] void explain_refusal(const Error& refusal) {
    std::optional<ObjectInfo> now = store->head(key);
    if (!now) throw Error(ErrorCode::NotFound, "no object " + name() + " (deleted while read)");
    accept(*now);
    throw refusal;
  }

  bool at_end() const { return pinned && position >= pinned->size; }

  std::uint64_t remaining() const { return pinned->size - std::min(position, pinned->size); }

  // Copies what the buffer holds at the position; returns the count copied.
  std::size_t take_buffered(MutableByteSpan destination) {
    if (position < buffer_offset || position >= buffer_offset + buffer.size()) return 0;
    std::size_t from = static_cast<std::size_t>(position - buffer_offset);
    std::size_t count = std::min(destination.size(), buffer.size() - from);
    std::memcpy(destination.data(), buffer.data() + from, count);
    position += count;
    return count;
  }

  // Fills the buffer with up to `length` bytes from the position. False at the end.
  bool fill_buffer(std::uint64_t length) {
    if (at_end()) return false;
    if (pinned) length = std::min(length, remaining());
    Chunk chunk;
    try {
      chunk = fetch_chunk(*store, key, position, length);
    } catch (const Error& error) {
      if (error.code() != ErrorCode::InvalidArgument) throw;
      // Unpinned, a read at or past the end (or of an empty object) is S3's 416: pin and see.
      if (!pinned) {
        pin();
        if (at_end()) return false;
        throw;
      }
      explain_refusal(error);
    }
    use_chunk(std::move(chunk));
    return !buffer.empty();
  }

  void use_chunk(Chunk chunk) {
    accept(chunk.result.info);
    buffer = std::move(chunk.result.body);
    buffer_offset = chunk.offset;
  }

  // Reads exactly destination.size() bytes at the position straight into the caller's memory.
  void read_direct(MutableByteSpan destination) {
    ObjectInfo info;
    try {
      info = store->get_into(key, destination, ByteRange::span(position, destination.size()));
    } catch (const Error& error) {
      if (error.code() != ErrorCode::InvalidArgument) throw;
      explain_refusal(error);
    }
    accept(info);
    position += destination.size();
  }

  void start_read_ahead() {
    if (ahead.valid() || !pinned) return;
    std::uint64_t next = buffer_offset + buffer.size();
    if (next >= pinned->size) return;
    std::uint64_t length = std::min(options.chunk_size, pinned->size - next);
    ahead_offset = next;
    ahead = std::async(std::launch::async, fetch_chunk, std::ref(*store), key, next, length);
  }

  // Uses the background chunk when it starts at the position; drops it otherwise. True when the
  // buffer now holds bytes at the position.
  bool take_read_ahead() {
    if (!ahead.valid()) return false;
    bool useful = ahead_offset == position;
    std::future<Chunk> pending = std::move(ahead);
    if (!useful) {
      pending.wait();
      return false;
    }
    Chunk chunk;
    try {
      chunk = pending.get();
    } catch (const Error&) {
      return false;  // fetched again in the foreground, which reports the error itself
    }
    use_chunk(std::move(chunk));
    return !buffer.empty();
  }

  std::size_t read_sequential(MutableByteSpan destination) {
    std::size_t done = 0;
    while (done < destination.size()) {
      std::size_t copied = take_buffered(destination.subspan(done));
      if (copied > 0) {
        done += copied;
        start_read_ahead();
        continue;
      }
      if (at_end()) break;
      if (take_read_ahead()) continue;
      if (!fill_buffer(options.chunk_size)) break;
    }
    start_read_ahead();
    return done;
  }

  std::size_t read_ranged(MutableByteSpan destination) {
    std::size_t done = take_buffered(destination);
    while (done < destination.size()) {
      if (at_end()) break;
      std::uint64_t wanted = destination.size() - done;
      if (options.buffer_size == 0 || wanted >= options.buffer_size) {
        pin();
        std::size_t count = static_cast<std::size_t>(std::min(wanted, remaining()));
        if (count == 0) break;
        read_direct(destination.subspan(done, count));
        done += count;
        break;
      }
      if (!fill_buffer(options.buffer_size)) break;
      done += take_buffered(destination.subspan(done));
    }
    return done;
  }
};

ObjectReader::ObjectReader(std::shared_ptr<ObjectStore> store, std::string key,
                           ReaderOptions options)
    : state_(std::make_unique<State>()) {
  if (options.mode == ReaderMode::Sequential && options.chunk_size == 0) {
    throw Error(ErrorCode::InvalidArgument,
                "reader of " + store->describe(key) + ": chunk_size must be at least 1 byte");
  }
  state_->store = std::move(store);
  state_->key = std::move(key);
  state_->options = options;
}

ObjectReader::~ObjectReader() = default;
ObjectReader::ObjectReader(ObjectReader&&) noexcept = default;
ObjectReader& ObjectReader::operator=(ObjectReader&&) noexcept = default;

Bytes ObjectReader::read(std::optional<std::uint64_t> count) {
  // Sizing the result needs the size; a HEAD is cheaper than over-allocating for a huge count.
  state_->pin();
  std::uint64_t wanted = std::min(count.value_or(state_->remaining()), state_->remaining());
  Bytes bytes(static_cast<std::size_t>(wanted));
  bytes.resize(read_into(bytes));
  return bytes;
}

std::size_t ObjectReader::read_into(MutableByteSpan destination) {
  if (destination.empty()) return 0;
  return state_->options.mode == ReaderMode::Sequential ? state_->read_sequential(destination)
                                                        : state_->read_ranged(destination);
}

std::uint64_t ObjectReader::seek(std::int64_t offset, Whence whence) {
  State& s = *state_;
  std::int64_t base = 0;
  if (whence == Whence::Current) base = static_cast<std::int64_t>(s.position);
  if (whence == Whence::End) {
    s.pin();
    base = static_cast<std::int64_t>(s.pinned->size);
  }
  bool overflow = (offset > 0 && base > std::numeric_limits<std::int64_t>::max() - offset);
  std::int64_t target = overflow ? std::numeric_limits<std::int64_t>::max() : base + offset;
  if (target < 0) {
    throw Error(ErrorCode::InvalidArgument, "cannot seek " + s.name() + " to " +
                                                std::to_string(target) +
                                                ", before the start of the object");
  }
  std::uint64_t position = static_cast<std::uint64_t>(target);
  // Only a position past what is known needs the size (to stay at EOF).
  if (position > 0 && !s.pinned) s.pin();
  s.position = s.pinned ? std::min(position, s.pinned->size) : position;
  return s.position;
}

std::uint64_t ObjectReader::tell() const noexcept { return state_->position; }

std::uint64_t ObjectReader::size() {
  state_->pin();
  return state_->pinned->size;
}

const ObjectInfo& ObjectReader::info() {
  state_->pin();
  return *state_->pinned;
}

void ObjectReader::prefetch() {
  State& s = *state_;
  if (s.options.mode == ReaderMode::Ranged) {
    s.pin();
    return;
  }
  if (s.ahead.valid() || s.at_end()) return;
  if (s.position >= s.buffer_offset && s.position < s.buffer_offset + s.buffer.size()) {
    s.start_read_ahead();
    return;
  }
  s.ahead_offset = s.position;
  std::uint64_t length = s.options.chunk_size;
  if (s.pinned) length = std::min(length, s.remaining());
  s.ahead =
      std::async(std::launch::async, fetch_chunk, std::ref(*s.store), s.key, s.position, length);
}

const std::string& ObjectReader::key() const noexcept { return state_->key; }

}  // namespace ndbucket
