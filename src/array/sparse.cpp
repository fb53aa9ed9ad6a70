#include "ndbucket/array/sparse.hpp"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

namespace ndbucket {

namespace {

const std::vector<std::string>& attrs_of(std::string_view type) {
  static const std::vector<std::string> compressed{"data", "indices", "indptr"};
  static const std::vector<std::string> coo{"row", "col", "data"};
  static const std::vector<std::string> dia{"data", "offsets"};
  if (type == "csr" || type == "csc" || type == "bsr") return compressed;
  if (type == "coo") return coo;
  if (type == "dia") return dia;
  throw Error(ErrorCode::Unsupported, "unknown sparse type '" + std::string(type) + "'");
}

// cottoncandy writes metadata.json with Python's json.dumps: ", " and ": " separators.
std::string metadata_json(std::string_view type, std::size_t rows, std::size_t cols) {
  std::string out = "{\"type\": \"" + std::string(type) + "\", \"attrs\": [";
  const auto& attrs = attrs_of(type);
  for (std::size_t i = 0; i < attrs.size(); ++i) {
    if (i) out += ", ";
    out += "\"" + attrs[i] + "\"";
  }
  return out + "], \"shape\": [" + std::to_string(rows) + ", " + std::to_string(cols) + "]}";
}

[[noreturn]] void corrupt(std::string_view what, const std::string& why) {
  throw Error(ErrorCode::Corrupt, std::string(what) + ": bad sparse matrix: " + why);
}

// Any 1-d integer array as int64 (both byte orders).
std::vector<std::int64_t> as_int64(const Array& a, std::string_view what, std::string_view attr) {
  const DType& d = a.dtype();
  if ((d.kind() != DTypeKind::Int && d.kind() != DTypeKind::UInt) || a.ndim() != 1) {
    corrupt(what, std::string(attr) + " is " + d.str() + " " + a.shape().to_tuple() +
                      ", not a 1-d integer array");
  }
  std::vector<std::int64_t> out(a.element_count());
  std::size_t size = d.itemsize();
  bool big = d.byte_order() == ByteOrder::Big;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::byte* p = a.data() + i * size;
    std::uint64_t u = 0;
    for (std::size_t b = 0; b < size; ++b) {
      u |= std::to_integer<std::uint64_t>(p[big ? size - 1 - b : b]) << (8 * b);
    }
    if (d.kind() == DTypeKind::Int && size < 8 && (u >> (8 * size - 1)) != 0) {
      u |= ~std::uint64_t{0} << (8 * size);  // sign-extend
    }
    if (d.kind() == DTypeKind::UInt && size == 8 && u > static_cast<std::uint64_t>(INT64_MAX)) {
      corrupt(what, std::string(attr) + " holds an index beyond 2^63");
    }
    out[i] = static_cast<std::int64_t>(u);
  }
  return out;
}

void check_index(std::int64_t value, std::size_t limit, std::string_view what,
                 std::string_view attr) {
  if (value < 0 || static_cast<std::uint64_t>(value) >= limit) {
    corrupt(what, std::string(attr) + " has index " + std::to_string(value) + " outside [0, " +
                      std::to_string(limit) + ")");
  }
}

}  // namespace

void save_sparse_metadata(const ArrayStore& store, std::string_view name, std::string_view type,
                          std::size_t rows, std::size_t cols) {
  std::string text;
  try {
    text = metadata_json(type, rows, cols);
  } catch (const Error& error) {
    throw Error(ErrorCode::InvalidArgument, store.store()->describe(name) + ": " + error.message());
  }
  store.store()->put(std::string(name) + "/metadata.json", as_bytes(text),
                     {.metadata = {}, .content_type = "application/json"});
}

void save_sparse_arrays(const ArrayStore& store, std::string_view name, const SparseArrays& arrays,
                        const ArraySaveOptions& options) {
  const std::string what = store.store()->describe(name);
  std::vector<std::string> attrs;
  try {
    attrs = attrs_of(arrays.type);
  } catch (const Error& error) {
    throw Error(ErrorCode::InvalidArgument, what + ": " + error.message());
  }
  for (const std::string& attr : attrs) {
    if (!arrays.attrs.count(attr)) {
      throw Error(ErrorCode::InvalidArgument,
                  what + ": a " + arrays.type + " matrix needs '" + attr + "'");
    }
  }
  if (arrays.attrs.size() != attrs.size()) {
    throw Error(ErrorCode::InvalidArgument, what + ": unexpected attrs for " + arrays.type);
  }
  for (const std::string& attr : attrs) {
    store.save(std::string(name) + "/" + attr, arrays.attrs.at(attr).view(), options);
  }
  save_sparse_metadata(store, name, arrays.type, arrays.rows, arrays.cols);
}

SparseArrays load_sparse_arrays(const ArrayStore& store, std::string_view name) {
  const std::string key = std::string(name) + "/metadata.json";
  const std::string what = store.store()->describe(name);
  GetResult got;
  try {
    got = store.store()->get(key);
  } catch (const Error& error) {
    if (error.code() != ErrorCode::NotFound) throw;
    throw Error(ErrorCode::NotFound, what + ": no sparse matrix (no metadata.json)");
  }
  SparseArrays out;
  try {
    nlohmann::json doc = nlohmann::json::parse(as_string_view(got.body));
    out.type = doc.at("type").get<std::string>();
    out.attr_order = doc.at("attrs").get<std::vector<std::string>>();
    auto shape = doc.at("shape").get<std::vector<std::int64_t>>();
    if (shape.size() != 2 || shape[0] < 0 || shape[1] < 0) corrupt(what, "shape is not 2-d");
    out.rows = static_cast<std::size_t>(shape[0]);
    out.cols = static_cast<std::size_t>(shape[1]);
  } catch (const nlohmann::json::exception& error) {
    corrupt(what, std::string("metadata.json: ") + error.what());
  }
  std::vector<std::string> expected;
  try {
    expected = attrs_of(out.type);
  } catch (const Error& error) {
    throw Error(ErrorCode::Unsupported, what + ": " + error.message());
  }
  for (const std::string& attr : expected) {
    if (std::find(out.attr_order.begin(), out.attr_order.end(), attr) == out.attr_order.end()) {
      corrupt(what, "metadata.json does not list '" + attr + "'");
    }
    try {
      out.attrs.emplace(attr, store.load(std::string(name) + "/" + attr));
    } catch (const Error& error) {
      if (error.code() != ErrorCode::NotFound) throw;
      corrupt(what, "attr '" + attr + "' is missing");
    }
  }
  return out;
}

Triplets to_triplets(const SparseArrays& arrays, std::string_view what) {
  Triplets t;
  t.rows = arrays.rows;
  t.cols = arrays.cols;
  auto attr = [&](const char* n) -> const Array& {
    auto it = arrays.attrs.find(n);
    if (it == arrays.attrs.end()) corrupt(what, std::string("no '") + n + "'");
    return it->second;
  };
  const Array& data = attr("data");
  std::size_t itemsize = data.dtype().itemsize();
  std::vector<std::size_t> picks;  // element index into data for each triplet
  if (arrays.type == "coo") {
    t.row = as_int64(attr("row"), what, "row");
    t.col = as_int64(attr("col"), what, "col");
    if (data.ndim() != 1 || t.row.size() != data.element_count() ||
        t.col.size() != data.element_count()) {
      corrupt(what, "row, col and data differ in length");
    }
    for (std::size_t k = 0; k < t.row.size(); ++k) {
      check_index(t.row[k], t.rows, what, "row");
      check_index(t.col[k], t.cols, what, "col");
      picks.push_back(k);
    }
  } else if (arrays.type == "csr" || arrays.type == "csc" || arrays.type == "bsr") {
    bool csc = arrays.type == "csc";
    std::size_t br = 1, bc = 1;  // block shape (bsr)
    if (arrays.type == "bsr") {
      if (data.ndim() != 3) corrupt(what, "bsr data is not 3-d");
      br = data.shape()[1];
      bc = data.shape()[2];
      if (br == 0 || bc == 0 || t.rows % br || t.cols % bc) {
        corrupt(what, "bsr blocks do not tile the shape");
      }
    } else if (data.ndim() != 1) {
      corrupt(what, "data is not 1-d");
    }
    std::vector<std::int64_t> indices = as_int64(attr("indices"), what, "indices");
    std::vector<std::int64_t> indptr = as_int64(attr("indptr"), what, "indptr");
    std::size_t outer = (csc ? t.cols : t.rows) / (csc ? 1 : br);
    std::size_t inner = (csc ? t.rows : t.cols) / (csc ? 1 : bc);
    std::size_t blocks = data.ndim() == 3 ? data.shape()[0] : data.element_count();
    if (indptr.size() != outer + 1 || indptr[0] != 0) corrupt(what, "indptr has the wrong length");
    if (indices.size() < static_cast<std::size_t>(indptr.back()) ||
        blocks < static_cast<std::size_t>(indptr.back())) {
      corrupt(what, "indptr points past indices or data");
    }
    for (std::size_t o = 0; o < outer; ++o) {
      if (indptr[o + 1] < indptr[o]) corrupt(what, "indptr decreases");
      for (auto k = static_cast<std::size_t>(indptr[o]);
           k < static_cast<std::size_t>(indptr[o + 1]); ++k) {
        check_index(indices[k], inner, what, "indices");
        for (std::size_t i = 0; i < br; ++i) {
          for (std::size_t j = 0; j < bc; ++j) {
            std::int64_t r = static_cast<std::int64_t>(o * br + i);
            std::int64_t c =
                indices[k] * static_cast<std::int64_t>(bc) + static_cast<std::int64_t>(j);
            t.row.push_back(csc ? c : r);
            t.col.push_back(csc ? r : c);
            picks.push_back((k * br + i) * bc + j);
          }
        }
      }
    }
  } else if (arrays.type == "dia") {
    std::vector<std::int64_t> offsets = as_int64(attr("offsets"), what, "offsets");
    if (data.ndim() != 2 || data.shape()[0] != offsets.size()) {
      corrupt(what, "dia data is not (len(offsets), L)");
    }
    std::size_t length = data.shape()[1];
    std::vector<std::byte> zero(itemsize, std::byte{0});
    for (std::size_t d = 0; d < offsets.size(); ++d) {
      for (std::size_t j = 0; j < std::min(length, t.cols); ++j) {
        std::int64_t i = static_cast<std::int64_t>(j) - offsets[d];
        if (i < 0 || static_cast<std::uint64_t>(i) >= t.rows) continue;
        std::size_t k = d * length + j;
        if (std::memcmp(data.data() + k * itemsize, zero.data(), itemsize) == 0) continue;
        t.row.push_back(i);
        t.col.push_back(static_cast<std::int64_t>(j));
        picks.push_back(k);
      }
    }
  } else {
    throw Error(ErrorCode::Unsupported,
                std::string(what) + ": unknown sparse type '" + arrays.type + "'");
  }
  t.data = Array::uninitialized(data.dtype(), Shape{picks.size()});
  for (std::size_t n = 0; n < picks.size(); ++n) {
    std::memcpy(t.data.data() + n * itemsize, data.data() + picks[n] * itemsize, itemsize);
  }
  return t;
}

void save_coo(const ArrayStore& store, std::string_view name, const Triplets& triplets,
              const ArraySaveOptions& options) {
  std::size_t n = triplets.data.element_count();
  if (triplets.row.size() != n || triplets.col.size() != n || triplets.data.ndim() != 1) {
    throw Error(ErrorCode::InvalidArgument,
                store.store()->describe(name) + ": row, col and data differ in length");
  }
  store.save(std::string(name) + "/row",
             ArrayView::of(std::span<const std::int64_t>(triplets.row), Shape{n}), options);
  store.save(std::string(name) + "/col",
             ArrayView::of(std::span<const std::int64_t>(triplets.col), Shape{n}), options);
  store.save(std::string(name) + "/data", triplets.data.view(), options);
  save_sparse_metadata(store, name, "coo", triplets.rows, triplets.cols);
}

}  // namespace ndbucket
