#include "ndbucket/array/dask_layout.hpp"

#include <cmath>
#include <cstdio>

#include "chunked_internal.hpp"
#include "core/parallel.hpp"

namespace ndbucket {

namespace {

constexpr std::uint64_t kMinBuffersize = std::uint64_t{5} << 20;  // cottoncandy's lower limit
constexpr std::size_t kMaxParts = 10000;                          // pt%04i has four digits

[[noreturn]] void corrupt(std::string_view what, const std::string& why) {
  throw Error(ErrorCode::Corrupt, std::string(what) + ": bad dask layout metadata: " + why);
}

std::size_t extent_of(const nlohmann::json& v, std::string_view what) {
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
    corrupt(what, "expected a non-negative integer, got " + v.dump());
  }
  std::uint64_t n = v.get<std::uint64_t>();
  if (n > (std::uint64_t{1} << 62)) corrupt(what, "extent too large");
  return static_cast<std::size_t>(n);
}

// Python's json.dumps of a list of integers: "[1, 2, 3]".
std::string python_list(const std::vector<std::size_t>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(values[i]);
  }
  return out + "]";
}

std::string part_key(std::string_view key, std::size_t part) {
  char name[32];
  std::snprintf(name, sizeof name, "pt%04zu", part);
  return chunked_detail::join_key(key, name);
}

}  // namespace

std::string DaskLayoutMetadata::to_json() const {
  std::string out = "{\"shape\": " + python_list(shape.dims()) +
                    ", \"dtype\": " + nlohmann::json(dtype.str()).dump() + ", \"dask\": [";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += ", ";
    out += "[" + python_list(parts[i].index) + ", " + nlohmann::json(parts[i].key).dump() + "]";
  }
  out += "], \"chunk_sizes\": [";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += ", ";
    std::vector<std::size_t> sizes;
    for (std::size_t d = 0; d < parts[i].index.size(); ++d) {
      sizes.push_back(chunks[d][parts[i].index[d]]);
    }
    out += python_list(sizes);
  }
  out += "], \"chunks\": [";
  for (std::size_t d = 0; d < chunks.size(); ++d) {
    if (d) out += ", ";
    out += python_list(chunks[d]);
  }
  return out + "]}";
}

DaskLayoutMetadata parse_dask_metadata(std::string_view text, std::string_view what) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) corrupt(what, "not a JSON object");
  for (const char* name : {"shape", "dtype", "dask", "chunks"}) {
    if (!doc.contains(name)) corrupt(what, std::string("missing \"") + name + "\"");
  }
  DaskLayoutMetadata m;
  if (!doc["shape"].is_array() || doc["shape"].size() > 64) corrupt(what, "shape must be a list");
  std::vector<std::size_t> dims;
  for (const auto& v : doc["shape"]) dims.push_back(extent_of(v, what));
  m.shape = Shape(std::move(dims));
  try {
    (void)m.shape.element_count();
  } catch (const Error&) {
    corrupt(what, "shape overflows");
  }
  if (!doc["dtype"].is_string()) corrupt(what, "dtype must be a string");
  try {
    m.dtype = DType::parse(doc["dtype"].get<std::string>());
  } catch (const Error& e) {
    if (e.code() == ErrorCode::Unsupported) throw;
    corrupt(what, e.message());
  }
  const nlohmann::json& chunks = doc["chunks"];
  if (!chunks.is_array() || chunks.size() != m.shape.ndim()) {
    corrupt(what, "chunks must hold one list per dimension");
  }
  std::size_t parts = 1;
  for (std::size_t d = 0; d < chunks.size(); ++d) {
    if (!chunks[d].is_array() || chunks[d].empty()) corrupt(what, "chunks must be lists");
    if (chunks[d].size() > kMaxParts) corrupt(what, "too many chunks");
    std::vector<std::size_t> extents;
    std::size_t sum = 0;
    for (const auto& v : chunks[d]) {
      extents.push_back(extent_of(v, what));
      sum += extents.back();
    }
    if (sum != m.shape[d]) corrupt(what, "chunks do not add up to the shape");
    parts *= extents.size();
    if (parts > kMaxParts) corrupt(what, "too many parts");
    m.chunks.push_back(std::move(extents));
  }
  const nlohmann::json& dask = doc["dask"];
  if (!dask.is_array() || dask.size() != parts) corrupt(what, "dask must list one part per chunk");
  std::vector<bool> seen(parts, false);
  for (const auto& entry : dask) {
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_array() || !entry[1].is_string() ||
        entry[0].size() != m.shape.ndim()) {
      corrupt(what, "a dask entry must be [[i, j, ...], \"key\"]");
    }
    DaskLayoutMetadata::Part part;
    std::size_t linear = 0;
    for (std::size_t d = 0; d < m.shape.ndim(); ++d) {
      std::size_t i = extent_of(entry[0][d], what);
      if (i >= m.chunks[d].size()) corrupt(what, "a part's chunk index is outside the grid");
      part.index.push_back(i);
      linear = linear * m.chunks[d].size() + i;
    }
    if (seen[linear]) corrupt(what, "two parts for one chunk");
    seen[linear] = true;
    part.key = entry[1].get<std::string>();
    if (part.key.empty()) corrupt(what, "empty part key");
    m.parts.push_back(std::move(part));
  }
  return m;
}

std::vector<std::vector<std::size_t>> dask_layout_chunks(const Shape& shape, std::size_t itemsize,
                                                         std::optional<int> axis,
                                                         std::uint64_t buffersize) {
  if (buffersize < kMinBuffersize) {
    throw Error(ErrorCode::InvalidArgument, "dask layout: buffersize must be at least 5 MiB");
  }
  std::size_t ndim = shape.ndim();
  std::optional<std::size_t> split;
  if (axis) {
    int a = *axis < 0 ? *axis + static_cast<int>(ndim) : *axis;
    if (a < 0 || a >= static_cast<int>(ndim)) {
      throw Error(ErrorCode::InvalidArgument, "dask layout: axis " + std::to_string(*axis) +
                                                  " out of range for shape " + shape.to_tuple());
    }
    split = static_cast<std::size_t>(a);
  }
  double ii = 0;
  double log_items =
      std::log(static_cast<double>(buffersize)) - std::log(static_cast<double>(itemsize));
  if (split) {
    for (std::size_t d = 0; d < ndim; ++d) {
      if (d == *split) continue;
      if (shape[d] == 0) {
        throw Error(ErrorCode::InvalidArgument,
                    "dask layout: cannot split shape " + shape.to_tuple() + " (a zero extent)");
      }
      log_items -= std::log(static_cast<double>(shape[d]));
    }
    ii = std::ceil(std::exp(log_items));
  } else {
    ii = std::ceil(std::exp(log_items / static_cast<double>(ndim)));
  }
  std::size_t step =
      ii >= 9.0e18 ? std::size_t{1} << 62 : static_cast<std::size_t>(std::max(ii, 1.0));
  std::vector<std::vector<std::size_t>> chunks(ndim);
  std::size_t parts = 1;
  for (std::size_t d = 0; d < ndim; ++d) {
    if (split && d != *split) {
      chunks[d] = {shape[d]};
      continue;
    }
    std::size_t count = (shape[d] + step - 1) / step + 1;
    if (count > kMaxParts) {
      throw Error(ErrorCode::InvalidArgument, "dask layout: 10000 parts or more");
    }
    for (std::size_t c = 0; c < count; ++c) {
      std::size_t begin = std::min(step * c, shape[d]);
      chunks[d].push_back(std::min(begin + step, shape[d]) - begin);
    }
    parts *= count;
    if (parts >= kMaxParts)
      throw Error(ErrorCode::InvalidArgument, "dask layout: 10000 parts or more");
  }
  return chunks;
}

DaskLayoutMetadata save_dask_layout(const ArrayStore& arrays, std::string_view key,
                                    const ArrayView& view, const DaskSaveOptions& options) {
  if (options.transfer.concurrency == 0) {
    throw Error(ErrorCode::InvalidArgument, "dask layout: concurrency must be at least 1");
  }
  DaskLayoutMetadata m;
  m.shape = view.shape();
  m.dtype = view.dtype();
  m.chunks =
      dask_layout_chunks(view.shape(), view.dtype().itemsize(), options.axis, options.buffersize);
  std::size_t ndim = m.chunks.size();
  std::vector<std::vector<std::size_t>> starts(ndim);
  std::size_t parts = 1;
  for (std::size_t d = 0; d < ndim; ++d) {
    std::size_t at = 0;
    for (std::size_t e : m.chunks[d]) {
      starts[d].push_back(at);
      at += e;
    }
    parts *= m.chunks[d].size();
  }
  for (std::size_t p = 0; p < parts; ++p) {
    DaskLayoutMetadata::Part part;
    part.index.assign(ndim, 0);
    std::size_t rest = p;
    for (std::size_t d = ndim; d-- > 0;) {
      part.index[d] = rest % m.chunks[d].size();
      rest /= m.chunks[d].size();
    }
    part.key = part_key(key, p);
    m.parts.push_back(std::move(part));
  }
  int concurrency = static_cast<int>(std::min<std::size_t>(options.transfer.concurrency, 1024));
  detail::for_each_parallel(parts, concurrency, [&](std::size_t p) {
    if (options.transfer.cancel.cancelled()) {
      throw Error(ErrorCode::Unavailable,
                  arrays.store()->describe(m.parts[p].key) + ": dask layout upload cancelled");
    }
    const std::byte* data = view.data();
    std::vector<std::size_t> dims(ndim);
    for (std::size_t d = 0; d < ndim; ++d) {
      std::size_t i = m.parts[p].index[d];
      dims[d] = m.chunks[d][i];
      if (dims[d] > 0) data += view.strides()[d] * static_cast<std::ptrdiff_t>(starts[d][i]);
    }
    arrays.save(m.parts[p].key, ArrayView(data, view.dtype(), Shape(dims), view.strides()),
                options.part);
  });
  chunked_detail::write_text(*arrays.store(), chunked_detail::join_key(key, "metadata.json"),
                             m.to_json());
  return m;
}

}  // namespace ndbucket
