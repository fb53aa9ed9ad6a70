#include "ndbucket/array/chunked.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>

#include "chunked_internal.hpp"
#include "core/parallel.hpp"
#include "ndbucket/array/array_store.hpp"
#include "ndbucket/array/dask_layout.hpp"
#include "ndbucket/store/key.hpp"

namespace ndbucket {

using chunked_detail::join_key;
using chunked_detail::read_text;
using chunked_detail::write_text;

namespace {

// The part of one selected axis that falls into one chunk.
struct AxisPiece {
  std::size_t chunk = 0;   // chunk index along the axis
  std::size_t first = 0;   // first selected element (index into the selection)
  std::size_t count = 0;   // selected elements inside the chunk
  std::size_t offset = 0;  // position of the first one inside the chunk
};

// The pieces of `slice` over chunks beginning at `bounds` (chunk c spans [bounds[c],
// bounds[c+1]) inside the array). Chunks holding no selected element are skipped.
std::vector<AxisPiece> axis_pieces(const std::vector<std::size_t>& bounds,
                                   const ResolvedSlice& slice) {
  std::vector<AxisPiece> pieces;
  std::size_t k = 0;
  while (k < slice.count) {
    std::size_t p = slice.start + k * slice.step;
    auto it = std::upper_bound(bounds.begin(), bounds.end(), p);
    std::size_t c = static_cast<std::size_t>(it - bounds.begin()) - 1;
    std::size_t hi = bounds[c + 1];
    std::size_t end = std::min(slice.count, (hi - slice.start + slice.step - 1) / slice.step);
    pieces.push_back({c, k, end - k, p - bounds[c]});
    k = end;
  }
  return pieces;
}

// One chunk a region touches: a piece per axis.
using ChunkTask = std::vector<AxisPiece>;

std::vector<ChunkTask> chunk_tasks(const std::vector<std::vector<AxisPiece>>& per_axis) {
  std::size_t total = 1;
  for (const auto& pieces : per_axis) total *= pieces.size();
  std::vector<ChunkTask> tasks;
  if (total == 0) return tasks;
  tasks.reserve(total);
  std::size_t n = per_axis.size();
  std::vector<std::size_t> at(n, 0);
  while (true) {
    ChunkTask task(n);
    for (std::size_t d = 0; d < n; ++d) task[d] = per_axis[d][at[d]];
    tasks.push_back(std::move(task));
    std::size_t d = n;
    while (d > 0) {
      --d;
      if (++at[d] < per_axis[d].size()) break;
      at[d] = 0;
      if (d == 0) return tasks;
    }
    if (n == 0) return tasks;
  }
}

// Fills `destination` with copies of one element.
void fill_view(const MutableArrayView& destination, const Bytes& element, const DType& dtype) {
  if (destination.element_count() == 0) return;
  bool zero =
      std::all_of(element.begin(), element.end(), [](std::byte b) { return b == std::byte{0}; });
  if (zero && (destination.is_c_contiguous() || destination.is_f_contiguous())) {
    std::memset(destination.data(), 0, destination.nbytes());
    return;
  }
  ArrayView repeated(element.data(), dtype, destination.shape(), Strides(destination.ndim(), 0));
  copy_elements(repeated, destination);
}

// An uninitialised buffer for one chunk.
struct ChunkBuffer {
  explicit ChunkBuffer(std::size_t bytes) : data(new std::byte[bytes]), size(bytes) {}
  std::unique_ptr<std::byte[]> data;
  std::size_t size;
  MutableByteSpan span() { return {data.get(), size}; }
};

// Serialises progress reports (one per chunk) and checks for cancellation.
class ChunkProgress {
 public:
  ChunkProgress(const TransferOptions& options, std::size_t total)
      : options_(options), total_(total) {}
  void check_cancel(const ObjectStore& store, const std::string& key) const {
    if (options_.cancel.cancelled()) {
      throw Error(ErrorCode::Unavailable, store.describe(key) + ": chunked transfer cancelled");
    }
  }
  void chunk_done() {
    if (!options_.progress) return;
    std::lock_guard guard(mutex_);
    ++done_;
    try {
      options_.progress(done_, total_);
    } catch (...) {  // a progress bar must not fail the transfer
    }
  }

 private:
  const TransferOptions& options_;
  std::uint64_t total_;
  std::mutex mutex_;
  std::uint64_t done_ = 0;  // guarded by mutex_
};

int concurrency_of(const TransferOptions& options) {
  if (options.concurrency == 0) {
    throw Error(ErrorCode::InvalidArgument, "chunked array: concurrency must be at least 1");
  }
  return static_cast<int>(std::min<std::size_t>(options.concurrency, 1024));
}

}  // namespace

nlohmann::json default_zarr_compressor() {
  return {{"id", "blosc"}, {"cname", "lz4"}, {"clevel", 5}, {"shuffle", 1}, {"blocksize", 0}};
}

struct ChunkedArray::State {
  std::shared_ptr<ObjectStore> store;
  std::string key;
  ChunkedIoOptions io;
  ChunkedLayout layout = ChunkedLayout::Zarr;
  ZarrArrayMetadata meta;
  std::shared_ptr<const Codec> codec;  // null: chunks stored raw
  Bytes fill;                          // one element in the stored byte order
  // Per axis: where chunk c begins, plus the extent as the last entry.
  std::vector<std::vector<std::size_t>> bounds;
  // Dask layout: each part's key and shape, by C-order chunk index.
  std::vector<std::string> part_keys;
  std::optional<ArrayStore> parts;

  void init_bounds_regular() {
    bounds.assign(meta.shape.ndim(), {});
    std::vector<std::size_t> grid = meta.chunk_grid();
    for (std::size_t d = 0; d < grid.size(); ++d) {
      for (std::size_t c = 0; c < grid[d]; ++c) bounds[d].push_back(c * meta.chunks[d]);
      bounds[d].push_back(meta.shape[d]);
    }
  }

  std::size_t chunk_count(std::size_t axis) const { return bounds[axis].size() - 1; }

  // The stored extent of a chunk along `axis`: the full chunk for Zarr (edge chunks are padded),
  // the exact part extent for the dask layout.
  std::size_t stored_extent(std::size_t axis, std::size_t chunk) const {
    if (layout == ChunkedLayout::Zarr) return meta.chunks[axis];
    return bounds[axis][chunk + 1] - bounds[axis][chunk];
  }
  std::size_t valid_extent(std::size_t axis, std::size_t chunk) const {
    return bounds[axis][chunk + 1] - bounds[axis][chunk];
  }

  Order chunk_order() const { return layout == ChunkedLayout::Zarr ? meta.order : Order::C; }

  Shape stored_shape(const ChunkTask& task) const {
    std::vector<std::size_t> dims(task.size());
    for (std::size_t d = 0; d < task.size(); ++d) dims[d] = stored_extent(d, task[d].chunk);
    return Shape(std::move(dims));
  }

  std::string key_of(const std::vector<std::size_t>& index) const {
    if (layout == ChunkedLayout::CottoncandyDask) {
      std::size_t linear = 0;
      for (std::size_t d = 0; d < index.size(); ++d) linear = linear * chunk_count(d) + index[d];
      return part_keys.at(linear);
    }
    std::string name;
    for (std::size_t d = 0; d < index.size(); ++d) {
      if (d) name += meta.dimension_separator;
      name += std::to_string(index[d]);
    }
    if (index.empty()) name = "0";
    return join_key(key, name);
  }

  std::string key_of(const ChunkTask& task) const {
    std::vector<std::size_t> index(task.size());
    for (std::size_t d = 0; d < task.size(); ++d) index[d] = task[d].chunk;
    return key_of(index);
  }

  std::vector<ChunkTask> tasks_for(const std::vector<ResolvedSlice>& resolved) const {
    std::vector<std::vector<AxisPiece>> per_axis(resolved.size());
    for (std::size_t d = 0; d < resolved.size(); ++d)
      per_axis[d] = axis_pieces(bounds[d], resolved[d]);
    return chunk_tasks(per_axis);
  }

  // Reads the chunk `chunk_key` (full stored shape) into `destination` (C- or F-contiguous in
  // chunk_order(), exact stored dtype). Returns false when the chunk is missing (Zarr only).
  bool fetch_chunk(const std::string& chunk_key, const MutableArrayView& destination) const {
    if (layout == ChunkedLayout::CottoncandyDask) {
      parts->load_into(chunk_key, destination);
      return true;
    }
    MutableByteSpan out(destination.data(), destination.nbytes());
    if (!codec) {
      try {
        store->get_into(chunk_key, out);
      } catch (const Error& e) {
        if (e.code() == ErrorCode::NotFound) return false;
        if (e.code() == ErrorCode::InvalidArgument) {
          throw Error(ErrorCode::Corrupt, store->describe(chunk_key) +
                                              ": uncompressed chunk is not " +
                                              std::to_string(out.size()) + " bytes");
        }
        throw;
      }
      return true;
    }
    std::optional<GetResult> got = store->try_get(chunk_key);
    if (!got) return false;
    try {
      codec->decode_into(got->body, out);
    } catch (const Error& e) {
      if (e.code() != ErrorCode::Corrupt) throw;
      throw Error(ErrorCode::Corrupt, store->describe(chunk_key) + ": chunk does not decode to " +
                                          std::to_string(out.size()) + " bytes (" +
                                          std::string(codec->id()) + "): " + e.message());
    }
    return true;
  }

  void put_chunk(const std::string& chunk_key, ByteSpan raw) const {
    if (!codec) {
      store->put(chunk_key, raw);
      return;
    }
    Bytes encoded = codec->encode(raw, EncodeHints{meta.dtype.itemsize()});
    store->put(chunk_key, encoded);
  }

  MutableArrayView chunk_view(std::byte* data, const Shape& shape) const {
    return MutableArrayView(data, meta.dtype, shape, chunk_order());
  }

  // Resolves `region`; InvalidArgument unless a buffer of `shape` and `dtype` fits it.
  std::vector<ResolvedSlice> resolve_for(const Region& region, const Shape& shape,
                                         const DType& dtype) const;

  // Calls visit(task, chunk key, stored chunk shape) for every chunk `resolved` touches,
  // `concurrency` at a time, checking cancellation before and reporting progress after each.
  void for_each_chunk(
      const std::vector<ResolvedSlice>& resolved,
      const std::function<void(const ChunkTask&, const std::string&, const Shape&)>& visit) const;

  void read_into(const Region& region, const MutableArrayView& destination) const;
  void write(const Region& region, const ArrayView& source) const;
};

namespace {

// The sub-view of `view` that a chunk's pieces select: elements first..first+count per axis.
template <typename Byte>
BasicArrayView<Byte> selection_part(const BasicArrayView<Byte>& view, const ChunkTask& task) {
  Byte* data = view.data();
  std::vector<std::size_t> dims(task.size());
  for (std::size_t d = 0; d < task.size(); ++d) {
    data += view.strides()[d] * static_cast<std::ptrdiff_t>(task[d].first);
    dims[d] = task[d].count;
  }
  return BasicArrayView<Byte>(data, view.dtype(), Shape(std::move(dims)), view.strides());
}

// The sub-view of a chunk that a task's pieces select (offset, count and step per axis).
template <typename Byte>
BasicArrayView<Byte> chunk_part(const BasicArrayView<Byte>& chunk, const ChunkTask& task,
                                const std::vector<ResolvedSlice>& resolved) {
  Byte* data = chunk.data();
  std::vector<std::size_t> dims(task.size());
  Strides strides(task.size());
  for (std::size_t d = 0; d < task.size(); ++d) {
    data += chunk.strides()[d] * static_cast<std::ptrdiff_t>(task[d].offset);
    dims[d] = task[d].count;
    strides[d] = chunk.strides()[d] * static_cast<std::ptrdiff_t>(resolved[d].step);
  }
  return BasicArrayView<Byte>(data, chunk.dtype(), Shape(std::move(dims)), std::move(strides));
}

bool contiguous_in(const MutableArrayView& view, Order order) {
  return order == Order::C ? view.is_c_contiguous() : view.is_f_contiguous();
}

void check_selection(const Shape& selected, const Shape& given, const DType& stored,
                     const DType& dtype, std::string_view what) {
  if (!(selected == given)) {
    throw Error(ErrorCode::InvalidArgument, std::string(what) + ": the region selects shape " +
                                                selected.to_tuple() + ", the buffer has shape " +
                                                given.to_tuple());
  }
  if (!stored.same_except_order(dtype)) {
    throw Error(ErrorCode::InvalidArgument, std::string(what) + ": the array's dtype is " +
                                                stored.str() + ", the buffer's " + dtype.str());
  }
}

}  // namespace

std::vector<ResolvedSlice> ChunkedArray::State::resolve_for(const Region& region,
                                                            const Shape& shape,
                                                            const DType& dtype) const {
  std::vector<ResolvedSlice> resolved = resolve_region(region, meta.shape);
  check_selection(selection_shape(resolved), shape, meta.dtype, dtype, store->describe(key));
  return resolved;
}

void ChunkedArray::State::for_each_chunk(
    const std::vector<ResolvedSlice>& resolved,
    const std::function<void(const ChunkTask&, const std::string&, const Shape&)>& visit) const {
  std::vector<ChunkTask> tasks = tasks_for(resolved);
  ChunkProgress progress(io.transfer, tasks.size());
  detail::for_each_parallel(tasks.size(), concurrency_of(io.transfer), [&](std::size_t i) {
    std::string chunk_key = key_of(tasks[i]);
    progress.check_cancel(*store, chunk_key);
    visit(tasks[i], chunk_key, stored_shape(tasks[i]));
    progress.chunk_done();
  });
}

void ChunkedArray::State::read_into(const Region& region,
                                    const MutableArrayView& destination) const {
  std::vector<ResolvedSlice> resolved =
      resolve_for(region, destination.shape(), destination.dtype());
  Order order = chunk_order();
  for_each_chunk(resolved,
                 [&](const ChunkTask& task, const std::string& chunk_key, const Shape& stored) {
                   MutableArrayView target = selection_part(destination, task);
                   // The whole stored chunk lands in one contiguous block of the destination:
                   // decode there.
                   bool whole = destination.dtype() == meta.dtype;
                   for (std::size_t d = 0; d < task.size() && whole; ++d) {
                     whole = task[d].offset == 0 && task[d].count == stored[d] &&
                             (task[d].count == 1 || resolved[d].step == 1);
                   }
                   if (whole) {
                     MutableArrayView direct(target.data(), meta.dtype, stored, target.strides());
                     if (layout == ChunkedLayout::CottoncandyDask || contiguous_in(direct, order)) {
                       if (!fetch_chunk(chunk_key, direct)) fill_view(direct, fill, meta.dtype);
                       return;
                     }
                   }
                   ChunkBuffer buffer(stored.nbytes(meta.dtype.itemsize()));
                   MutableArrayView chunk = chunk_view(buffer.data.get(), stored);
                   if (fetch_chunk(chunk_key, chunk)) {
                     copy_elements(chunk_part<std::byte>(chunk, task, resolved), target);
                   } else {
                     fill_view(target, fill, meta.dtype);
                   }
                 });
}

void ChunkedArray::State::write(const Region& region, const ArrayView& source) const {
  std::string what = store->describe(key);
  if (layout != ChunkedLayout::Zarr) {
    throw Error(ErrorCode::Unsupported, what +
                                            ": cottoncandy's dask layout is written whole "
                                            "(save_dask_layout), not by region");
  }
  std::vector<ResolvedSlice> resolved = resolve_for(region, source.shape(), source.dtype());
  Order order = chunk_order();
  for_each_chunk(resolved,
                 [&](const ChunkTask& task, const std::string& chunk_key, const Shape& stored) {
                   ArrayView from = selection_part(source, task);
                   bool covered = true;  // every element of the chunk inside the array is written
                   bool edge = false;    // the chunk sticks out of the array (zarr pads it)
                   for (std::size_t d = 0; d < task.size(); ++d) {
                     std::size_t valid = valid_extent(d, task[d].chunk);
                     covered = covered && task[d].offset == 0 && task[d].count == valid &&
                               (valid == 1 || resolved[d].step == 1);
                     edge = edge || valid < stored[d];
                   }
                   if (covered && !edge && !codec && source.dtype() == meta.dtype) {
                     ArrayView whole(from.data(), meta.dtype, stored, from.strides());
                     if ((order == Order::C && whole.is_c_contiguous()) ||
                         (order == Order::F && whole.is_f_contiguous())) {
                       store->put(chunk_key, whole.bytes());  // straight from the caller's memory
                       return;
                     }
                   }
                   ChunkBuffer buffer(stored.nbytes(meta.dtype.itemsize()));
                   MutableArrayView chunk = chunk_view(buffer.data.get(), stored);
                   if (covered) {
                     if (edge) fill_view(chunk, fill, meta.dtype);
                   } else if (!fetch_chunk(chunk_key, chunk)) {
                     fill_view(chunk, fill, meta.dtype);
                   }
                   copy_elements(from, chunk_part<std::byte>(chunk, task, resolved));
                   put_chunk(chunk_key, buffer.span());
                 });
}

ChunkedArray::ChunkedArray(std::unique_ptr<State> state) : state_(std::move(state)) {}
ChunkedArray::~ChunkedArray() = default;
ChunkedArray::ChunkedArray(ChunkedArray&&) noexcept = default;
ChunkedArray& ChunkedArray::operator=(ChunkedArray&&) noexcept = default;

ChunkedArray ChunkedArray::from_metadata(std::shared_ptr<ObjectStore> store, std::string_view key,
                                         ZarrArrayMetadata metadata, ChunkedIoOptions io) {
  if (!store) throw Error(ErrorCode::InvalidArgument, "chunked array: null store");
  if (!key.empty()) validate_key(key, store->url());
  auto state = std::make_unique<State>();
  std::string what = store->describe(join_key(key, ".zarray"));
  state->store = std::move(store);
  state->key = std::string(key);
  state->meta = parse_zarray(metadata.to_json(), what);  // the same checks as a stored document
  if (!state->meta.compressor.is_null()) {
    try {
      state->codec = io.codecs.from_config(state->meta.compressor);
    } catch (const Error& e) {
      throw Error(e.code() == ErrorCode::NotFound ? ErrorCode::Unsupported : ErrorCode::Corrupt,
                  what + ": compressor " + state->meta.compressor.dump() + ": " + e.message());
    }
  }
  state->fill = fill_value_bytes(state->meta.fill_value, state->meta.dtype, what);
  state->io = std::move(io);
  state->init_bounds_regular();
  return ChunkedArray(std::move(state));
}

ChunkedArray ChunkedArray::open(std::shared_ptr<ObjectStore> store, std::string_view key,
                                ChunkedIoOptions io) {
  if (!store) throw Error(ErrorCode::InvalidArgument, "chunked array: null store");
  if (!key.empty()) validate_key(key, store->url());
  std::string zarray_key = join_key(key, ".zarray");
  if (std::optional<std::string> text = read_text(*store, zarray_key)) {
    return from_metadata(store, key, parse_zarray(*text, store->describe(zarray_key)),
                         std::move(io));
  }
  std::string dask_key = join_key(key, "metadata.json");
  std::optional<std::string> text = read_text(*store, dask_key);
  if (!text) {
    throw Error(ErrorCode::NotFound, store->describe(key) +
                                         ": no chunked array here (neither .zarray nor a dask "
                                         "layout's metadata.json)");
  }
  DaskLayoutMetadata dask = parse_dask_metadata(*text, store->describe(dask_key));
  auto state = std::make_unique<State>();
  state->layout = ChunkedLayout::CottoncandyDask;
  state->store = store;
  state->key = std::string(key);
  state->meta.shape = dask.shape;
  state->meta.dtype = dask.dtype;
  state->meta.chunks.clear();
  state->bounds.assign(dask.shape.ndim(), {});
  for (std::size_t d = 0; d < dask.chunks.size(); ++d) {
    std::size_t at = 0;
    for (std::size_t extent : dask.chunks[d]) {
      state->bounds[d].push_back(at);
      at += extent;
    }
    state->bounds[d].push_back(at);
    state->meta.chunks.push_back(
        std::max<std::size_t>(1, dask.chunks[d].empty() ? 1 : dask.chunks[d][0]));
  }
  std::size_t parts = 1;
  for (const auto& c : dask.chunks) parts *= c.size();
  state->part_keys.assign(parts, {});
  for (const DaskLayoutMetadata::Part& part : dask.parts) {
    std::size_t linear = 0;
    for (std::size_t d = 0; d < part.index.size(); ++d) {
      linear = linear * dask.chunks[d].size() + part.index[d];
    }
    state->part_keys[linear] = part.key;
  }
  state->fill = Bytes(dask.dtype.itemsize(), std::byte{0});
  state->parts.emplace(store, io.codecs);
  state->io = std::move(io);
  return ChunkedArray(std::move(state));
}

ChunkedArray ChunkedArray::create(std::shared_ptr<ObjectStore> store, std::string_view key,
                                  Shape shape, DType dtype, const ChunkedCreateOptions& options,
                                  ChunkedIoOptions io) {
  if (!store) throw Error(ErrorCode::InvalidArgument, "chunked array: null store");
  if (!key.empty()) validate_key(key, store->url());
  std::string what = store->describe(key);
  auto invalid = [&](const std::string& why) {
    throw Error(ErrorCode::InvalidArgument, what + ": cannot create chunked array: " + why);
  };
  ZarrArrayMetadata meta;
  meta.shape = std::move(shape);
  meta.dtype = dtype;
  meta.chunks = options.chunks.empty()
                    ? choose_chunk_shape(meta.shape, dtype, options.target_chunk_bytes)
                    : options.chunks;
  if (meta.chunks.size() != meta.shape.ndim()) {
    invalid("chunks have " + std::to_string(meta.chunks.size()) + " dimensions, the shape " +
            std::to_string(meta.shape.ndim()));
  }
  if (std::find(meta.chunks.begin(), meta.chunks.end(), 0) != meta.chunks.end()) {
    invalid("a chunk extent is 0");
  }
  if (options.dimension_separator != '.' && options.dimension_separator != '/') {
    invalid("dimension_separator must be '.' or '/'");
  }
  if (!options.attributes.is_object()) invalid("attributes must be a JSON object");
  meta.dimension_separator = options.dimension_separator;
  meta.order = options.order;
  meta.fill_value = normalize_fill_value(options.fill_value, dtype);
  if (options.compressor.is_string()) {
    meta.compressor = io.codecs.create(options.compressor.get<std::string>())->config();
  } else if (options.compressor.is_object()) {
    meta.compressor = io.codecs.from_config(options.compressor)->config();
  } else if (!options.compressor.is_null()) {
    invalid("compressor must be a codec id, a numcodecs config or null");
  }
  try {
    (void)parse_zarray(meta.to_json(), what);
  } catch (const Error& e) {
    throw Error(e.code() == ErrorCode::Corrupt ? ErrorCode::InvalidArgument : e.code(),
                e.message());
  }
  std::string zarray_key = join_key(key, ".zarray");
  bool exists = store->head(zarray_key).has_value() || store->head(join_key(key, ".zgroup"));
  if (exists && !options.overwrite) {
    throw Error(ErrorCode::AlreadyExists, what + ": an array or group already exists");
  }
  if (options.overwrite) chunked_detail::remove_tree(*store, key);
  write_text(*store, zarray_key, meta.to_json());
  if (!options.attributes.empty()) {
    write_text(*store, join_key(key, ".zattrs"), options.attributes.dump(4, ' ', true));
  }
  return from_metadata(std::move(store), key, std::move(meta), std::move(io));
}

ChunkedLayout ChunkedArray::layout() const noexcept { return state_->layout; }
const std::string& ChunkedArray::key() const noexcept { return state_->key; }
const std::shared_ptr<ObjectStore>& ChunkedArray::store() const noexcept { return state_->store; }
const ZarrArrayMetadata& ChunkedArray::metadata() const noexcept { return state_->meta; }

std::vector<std::vector<std::size_t>> ChunkedArray::chunk_starts() const {
  std::vector<std::vector<std::size_t>> out = state_->bounds;
  for (auto& b : out) b.pop_back();
  return out;
}

std::string ChunkedArray::chunk_key(const std::vector<std::size_t>& index) const {
  if (index.size() != state_->bounds.size()) {
    throw Error(ErrorCode::InvalidArgument,
                state_->store->describe(state_->key) + ": chunk index has the wrong rank");
  }
  for (std::size_t d = 0; d < index.size(); ++d) {
    if (index[d] >= state_->chunk_count(d)) {
      throw Error(ErrorCode::InvalidArgument,
                  state_->store->describe(state_->key) + ": chunk index outside the grid");
    }
  }
  return state_->key_of(index);
}

std::vector<std::vector<std::size_t>> ChunkedArray::chunks_in(const Region& region) const {
  std::vector<std::vector<std::size_t>> out;
  for (const ChunkTask& task : state_->tasks_for(resolve_region(region, shape()))) {
    std::vector<std::size_t> index;
    for (const AxisPiece& piece : task) index.push_back(piece.chunk);
    out.push_back(std::move(index));
  }
  return out;
}

Array ChunkedArray::read(const Region& region) const {
  Shape selected = selection_shape(resolve_region(region, shape()));
  Array out = Array::uninitialized(dtype(), selected);
  state_->read_into(region, out.mutable_view());
  return out;
}

void ChunkedArray::read_into(const Region& region, const MutableArrayView& destination) const {
  state_->read_into(region, destination);
}

void ChunkedArray::write(const Region& region, const ArrayView& source) const {
  state_->write(region, source);
}

void ChunkedArray::resize(const Shape& new_shape) {
  State& s = *state_;
  std::string what = s.store->describe(s.key);
  if (s.layout != ChunkedLayout::Zarr) {
    throw Error(ErrorCode::Unsupported, what + ": the dask layout cannot be resized");
  }
  if (new_shape.ndim() != s.meta.shape.ndim()) {
    throw Error(ErrorCode::InvalidArgument, what + ": resize from " + s.meta.shape.to_tuple() +
                                                " to " + new_shape.to_tuple() +
                                                " changes the rank");
  }
  ZarrArrayMetadata meta = s.meta;
  meta.shape = new_shape;
  (void)parse_zarray(meta.to_json(), what);
  std::vector<std::size_t> grid = meta.chunk_grid();
  // Chunks wholly outside the new shape: list the prefix once, keep only chunk-shaped names.
  std::string prefix = s.key.empty() ? "" : s.key + "/";
  std::vector<std::string> doomed;
  for (const ObjectInfo& object : s.store->list(prefix).objects) {
    std::string_view name = std::string_view(object.key).substr(prefix.size());
    std::vector<std::size_t> index;
    bool chunk_name = !name.empty();
    std::size_t at = 0;
    while (chunk_name && at <= name.size()) {
      std::size_t end = name.find(meta.dimension_separator, at);
      if (end == std::string_view::npos) end = name.size();
      std::string_view part = name.substr(at, end - at);
      chunk_name =
          !part.empty() && part.size() < 20 &&
          std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (chunk_name) index.push_back(std::stoull(std::string(part)));
      at = end + 1;
    }
    if (!chunk_name || index.size() != std::max<std::size_t>(1, grid.size())) continue;
    for (std::size_t d = 0; d < grid.size(); ++d) {
      if (index[d] >= grid[d]) {
        doomed.push_back(object.key);
        break;
      }
    }
  }
  write_text(*s.store, join_key(s.key, ".zarray"), meta.to_json());
  for (const auto& error : s.store->remove_many(doomed)) {
    if (error) throw *error;
  }
  s.meta = std::move(meta);
  s.init_bounds_regular();
}

nlohmann::json ChunkedArray::attributes() const {
  if (state_->layout != ChunkedLayout::Zarr) return nlohmann::json::object();
  return read_zarr_attributes(*state_->store, state_->key);
}

void ChunkedArray::set_attributes(const nlohmann::json& attributes) const {
  if (state_->layout != ChunkedLayout::Zarr) {
    throw Error(ErrorCode::Unsupported,
                state_->store->describe(state_->key) + ": the dask layout has no attributes");
  }
  write_zarr_attributes(*state_->store, state_->key, attributes);
}

ChunkedStoredStats ChunkedArray::stored_stats() const {
  const State& s = *state_;
  ChunkedStoredStats stats;
  if (s.layout == ChunkedLayout::CottoncandyDask) {
    for (const std::string& part : s.part_keys) {
      if (std::optional<ObjectInfo> info = s.store->head(part)) {
        ++stats.chunks_stored;
        stats.chunk_bytes_stored += info->size;
      }
    }
    return stats;
  }
  std::string prefix = s.key.empty() ? "" : s.key + "/";
  for (const ObjectInfo& object : s.store->list(prefix).objects) {
    std::string_view name = std::string_view(object.key).substr(prefix.size());
    if (name.empty() || name.front() < '0' || name.front() > '9') continue;
    ++stats.chunks_stored;
    stats.chunk_bytes_stored += object.size;
  }
  return stats;
}

std::vector<std::size_t> choose_chunk_shape(const Shape& shape, const DType& dtype,
                                            std::size_t target_bytes) {
  std::vector<std::size_t> chunks(shape.ndim());
  for (std::size_t d = 0; d < chunks.size(); ++d) chunks[d] = std::max<std::size_t>(1, shape[d]);
  auto bytes = [&] {
    long double n = static_cast<long double>(dtype.itemsize());
    for (std::size_t c : chunks) n *= static_cast<long double>(c);
    return n;
  };
  while (bytes() > static_cast<long double>(std::max<std::size_t>(target_bytes, 1))) {
    // Halve the largest extent; among equals the first (outermost) one, so rows stay long.
    std::size_t largest = 0;
    for (std::size_t d = 1; d < chunks.size(); ++d) {
      if (chunks[d] > chunks[largest]) largest = d;
    }
    if (chunks.empty() || chunks[largest] == 1) break;
    chunks[largest] = (chunks[largest] + 1) / 2;
  }
  return chunks;
}

ChunkedArray save_chunked(std::shared_ptr<ObjectStore> store, std::string_view key,
                          const ArrayView& view, const ChunkedSaveOptions& options) {
  ChunkedArray array = ChunkedArray::create(std::move(store), key, view.shape(), view.dtype(),
                                            options.create, options.io);
  array.write({}, view);
  return array;
}

void chunked_detail::remove_tree(ObjectStore& store, std::string_view prefix) {
  std::string p = prefix.empty() ? "" : std::string(prefix) + "/";
  std::vector<std::string> keys;
  for (const ObjectInfo& object : store.list(p).objects) keys.push_back(object.key);
  for (const auto& error : store.remove_many(keys)) {
    if (error) throw *error;
  }
}

}  // namespace ndbucket
