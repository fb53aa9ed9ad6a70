#include "ndbucket/array/zarr_metadata.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <complex>
#include <cstring>
#include <limits>

#include "ndbucket/core/base64.hpp"
#include "ndbucket/core/error.hpp"

namespace ndbucket {

namespace {

constexpr std::size_t kMaxDims = 64;  // as the .npy parser: no real array has more
constexpr std::uint64_t kMaxBytes = std::uint64_t{1} << 62;

[[noreturn]] void corrupt(std::string_view what, const std::string& why) {
  throw Error(ErrorCode::Corrupt, std::string(what) + ": " + why);
}

nlohmann::json parse_json(std::string_view text, std::string_view what, std::string_view kind) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) corrupt(what, std::string(kind) + " is not JSON");
  if (!doc.is_object()) corrupt(what, std::string(kind) + " is not a JSON object");
  return doc;
}

std::vector<std::size_t> extents(const nlohmann::json& doc, const char* name,
                                 std::string_view what) {
  auto it = doc.find(name);
  if (it == doc.end() || !it->is_array()) corrupt(what, std::string(name) + " must be a list");
  if (it->size() > kMaxDims) corrupt(what, std::string(name) + " has too many dimensions");
  std::vector<std::size_t> out;
  for (const nlohmann::json& v : *it) {
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
      corrupt(what, std::string(name) + " must hold non-negative integers");
    }
    std::uint64_t n = v.get<std::uint64_t>();
    if (n > kMaxBytes) corrupt(what, std::string(name) + " extent too large");
    out.push_back(static_cast<std::size_t>(n));
  }
  return out;
}

// IEEE binary16 from a double, rounding to nearest even (NumPy's float16 conversion).
std::uint16_t to_half(double value) {
  float f = static_cast<float>(value);
  std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  std::uint16_t sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
  std::uint32_t exp = (x >> 23) & 0xFFu;
  std::uint32_t mant = x & 0x7FFFFFu;
  if (exp == 0xFF) return sign | 0x7C00u | (mant ? 0x200u : 0u);
  int e = static_cast<int>(exp) - 127 + 15;
  if (e >= 31) return sign | 0x7C00u;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000u;
    int shift = 14 - e;
    std::uint32_t half = mant >> shift;
    std::uint32_t rest = mant & ((1u << shift) - 1);
    std::uint32_t halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (half & 1u))) ++half;
    return static_cast<std::uint16_t>(sign | half);
  }
  std::uint32_t half = (static_cast<std::uint32_t>(e) << 10) | (mant >> 13);
  std::uint32_t rest = mant & 0x1FFFu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;  // may carry into exponent
  return static_cast<std::uint16_t>(sign | half);
}

double float_value(const nlohmann::json& v, std::string_view what) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  corrupt(what, "fill_value " + v.dump() + " is not a float (number, \"NaN\", \"Infinity\")");
}

void store_float(double value, std::size_t size, std::byte* out) {
  if (size == 2) {
    std::uint16_t h = to_half(value);
    std::memcpy(out, &h, 2);
  } else if (size == 4) {
    float f = static_cast<float>(value);
    std::memcpy(out, &f, 4);
  } else {
    std::memcpy(out, &value, 8);
  }
}

// A fill value's bytes from its base64 text (Zarr v2's encoding for byte-string and void dtypes).
Bytes fill_bytes_from_base64(std::string_view text, std::string_view what) {
  std::optional<Bytes> bytes = base64_decode(text);
  if (!bytes) corrupt(what, "fill_value is not base64");
  return std::move(*bytes);
}

// Decodes UTF-8 into code points; Corrupt for invalid sequences.
std::vector<std::uint32_t> utf8_code_points(std::string_view s, std::string_view what) {
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80         ? 1
                      : (c >> 5) == 6  ? 2
                      : (c >> 4) == 14 ? 3
                      : (c >> 3) == 30 ? 4
                                       : 0;
    if (len == 0 || i + len > s.size()) corrupt(what, "fill_value is not UTF-8");
    std::uint32_t cp = len == 1 ? c : c & (0x7Fu >> len);
    for (std::size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) corrupt(what, "fill_value is not UTF-8");
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

template <typename T>
void store_integer(const nlohmann::json& v, std::byte* out, std::string_view what) {
  bool ok = false;
  T value{};
  if (v.is_number_unsigned()) {
    std::uint64_t u = v.get<std::uint64_t>();
    ok = u <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
    value = static_cast<T>(u);
  } else if (v.is_number_integer()) {
    std::int64_t i = v.get<std::int64_t>();
    ok = std::is_signed_v<T>
             ? (i >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
                i <= static_cast<std::int64_t>(std::numeric_limits<T>::max()))
             : (i >= 0 && static_cast<std::uint64_t>(i) <=
                              static_cast<std::uint64_t>(std::numeric_limits<T>::max()));
    value = static_cast<T>(i);
  } else if (v.is_number_float()) {
    double d = v.get<double>();
    ok = std::isfinite(d) && d == std::floor(d) &&
         d >= static_cast<double>(std::numeric_limits<T>::min()) &&
         d <= static_cast<double>(std::numeric_limits<T>::max());
    if (ok) value = static_cast<T>(d);
  }
  if (!ok) corrupt(what, "fill_value " + v.dump() + " does not fit the integer dtype");
  std::memcpy(out, &value, sizeof(T));
}

void store_int(DTypeKind kind, std::size_t size, const nlohmann::json& v, std::byte* out,
               std::string_view what) {
  bool sign = kind == DTypeKind::Int;
  switch (size) {
    case 1:
      return sign ? store_integer<std::int8_t>(v, out, what)
                  : store_integer<std::uint8_t>(v, out, what);
    case 2:
      return sign ? store_integer<std::int16_t>(v, out, what)
                  : store_integer<std::uint16_t>(v, out, what);
    case 4:
      return sign ? store_integer<std::int32_t>(v, out, what)
                  : store_integer<std::uint32_t>(v, out, what);
    default:
      return sign ? store_integer<std::int64_t>(v, out, what)
                  : store_integer<std::uint64_t>(v, out, what);
  }
}

void swap_units(std::byte* data, std::size_t size, std::size_t unit) {
  for (std::size_t i = 0; i + unit <= size; i += unit) std::reverse(data + i, data + i + unit);
}

void check_zarr_format(const nlohmann::json& doc, std::string_view what) {
  auto it = doc.find("zarr_format");
  if (it == doc.end() || !it->is_number_integer() || it->get<std::int64_t>() != 2) {
    corrupt(what, "zarr_format must be 2");
  }
}

ZarrArrayMetadata zarray_from_json(const nlohmann::json& doc, std::string_view what) {
  if (!doc.is_object()) corrupt(what, ".zarray is not a JSON object");
  check_zarr_format(doc, what);
  ZarrArrayMetadata m;
  m.shape = Shape(extents(doc, "shape", what));
  m.chunks = extents(doc, "chunks", what);
  if (m.chunks.size() != m.shape.ndim()) corrupt(what, "chunks and shape differ in length");
  for (std::size_t c : m.chunks) {
    if (c == 0) corrupt(what, "chunks must be positive");
  }
  auto dtype = doc.find("dtype");
  if (dtype == doc.end()) corrupt(what, "dtype is missing");
  if (dtype->is_array()) {
    throw Error(ErrorCode::Unsupported,
                std::string(what) + ": structured dtypes are not supported");
  }
  if (!dtype->is_string()) corrupt(what, "dtype must be a string");
  try {
    m.dtype = DType::parse(dtype->get_ref<const std::string&>());
  } catch (const Error& e) {
    if (e.code() == ErrorCode::Unsupported) {
      throw Error(ErrorCode::Unsupported, std::string(what) + ": " + e.message());
    }
    corrupt(what, e.message());
  }
  try {
    (void)m.shape.element_count();
  } catch (const Error&) {
    corrupt(what, "shape " + m.shape.to_tuple() + " overflows");
  }
  std::uint64_t chunk_bytes = m.dtype.itemsize();
  for (std::size_t c : m.chunks) {
    if (chunk_bytes > kMaxBytes / c) corrupt(what, "chunks too large");
    chunk_bytes *= c;
  }
  auto compressor = doc.find("compressor");
  if (compressor == doc.end()) corrupt(what, "compressor is missing");
  if (!compressor->is_null()) {
    if (!compressor->is_object() || !compressor->contains("id") ||
        !compressor->at("id").is_string()) {
      corrupt(what, "compressor must be null or an object with a string id");
    }
    m.compressor = *compressor;
  }
  auto order = doc.find("order");
  if (order == doc.end() || !order->is_string() ||
      (order->get_ref<const std::string&>() != "C" &&
       order->get_ref<const std::string&>() != "F")) {
    corrupt(what, "order must be \"C\" or \"F\"");
  }
  m.order = order->get_ref<const std::string&>() == "C" ? Order::C : Order::F;
  auto filters = doc.find("filters");
  if (filters != doc.end() && !filters->is_null()) {
    if (!filters->is_array()) corrupt(what, "filters must be null or a list");
    if (!filters->empty()) {
      throw Error(ErrorCode::Unsupported, std::string(what) + ": filters are not supported");
    }
  }
  auto separator = doc.find("dimension_separator");
  if (separator != doc.end() && !separator->is_null()) {
    if (!separator->is_string() || (separator->get_ref<const std::string&>() != "." &&
                                    separator->get_ref<const std::string&>() != "/")) {
      corrupt(what, "dimension_separator must be \".\" or \"/\"");
    }
    m.dimension_separator = separator->get_ref<const std::string&>()[0];
  }
  auto fill = doc.find("fill_value");
  if (fill == doc.end()) corrupt(what, "fill_value is missing");
  m.fill_value = *fill;
  (void)fill_value_bytes(m.fill_value, m.dtype, what);
  return m;
}

}  // namespace

std::vector<std::size_t> ZarrArrayMetadata::chunk_grid() const {
  std::vector<std::size_t> grid(shape.ndim());
  for (std::size_t d = 0; d < grid.size(); ++d) grid[d] = (shape[d] + chunks[d] - 1) / chunks[d];
  return grid;
}

std::size_t ZarrArrayMetadata::chunk_nbytes() const {
  std::size_t n = dtype.itemsize();
  for (std::size_t c : chunks) n *= c;
  return n;
}

nlohmann::json ZarrArrayMetadata::to_json_value() const {
  nlohmann::json doc = nlohmann::json::object();
  doc["chunks"] = chunks;
  doc["compressor"] = compressor;
  // zarr-python 2.13 writes the key only for the nested separator; '.' is the default.
  if (dimension_separator != '.') doc["dimension_separator"] = std::string(1, dimension_separator);
  doc["dtype"] = dtype.str();
  doc["fill_value"] = fill_value;
  doc["filters"] = filters;
  doc["order"] = order == Order::C ? "C" : "F";
  doc["shape"] = shape.dims();
  doc["zarr_format"] = 2;
  return doc;
}

std::string ZarrArrayMetadata::to_json() const {
  // zarr-python: json.dumps(indent=4, sort_keys=True, ensure_ascii=True).
  return to_json_value().dump(4, ' ', true);
}

ZarrArrayMetadata parse_zarray(std::string_view text, std::string_view what) {
  return zarray_from_json(parse_json(text, what, ".zarray"), what);
}

ZarrArrayMetadata parse_zarray(ByteSpan text, std::string_view what) {
  return parse_zarray(as_string_view(text), what);
}

nlohmann::json parse_zattrs(std::string_view text, std::string_view what) {
  return parse_json(text, what, ".zattrs");
}

void parse_zgroup(std::string_view text, std::string_view what) {
  check_zarr_format(parse_json(text, what, ".zgroup"), what);
}

std::string ZarrConsolidated::to_json() const {
  nlohmann::json metadata = nlohmann::json::object();
  for (const auto& [key, doc] : documents) metadata[key] = doc;
  nlohmann::json doc = {{"metadata", metadata}, {"zarr_consolidated_format", 1}};
  return doc.dump(4, ' ', true);
}

ZarrConsolidated parse_zmetadata(std::string_view text, std::string_view what) {
  nlohmann::json doc = parse_json(text, what, ".zmetadata");
  auto format = doc.find("zarr_consolidated_format");
  if (format == doc.end() || !format->is_number_integer() || format->get<std::int64_t>() != 1) {
    corrupt(what, "zarr_consolidated_format must be 1");
  }
  auto metadata = doc.find("metadata");
  if (metadata == doc.end() || !metadata->is_object()) corrupt(what, "metadata must be an object");
  ZarrConsolidated out;
  for (auto& [key, value] : metadata->items()) {
    std::string entry = std::string(what) + " entry '" + key + "'";
    std::string_view name = key;  // clang 14 cannot capture structured bindings in lambdas
    if (name.ends_with(".zarray")) {
      (void)zarray_from_json(value, entry);
    } else if (name.ends_with(".zgroup")) {
      if (!value.is_object()) corrupt(entry, "not a JSON object");
      check_zarr_format(value, entry);
    } else if (!value.is_object()) {
      corrupt(entry, "not a JSON object");
    }
    out.documents.emplace(key, value);
  }
  return out;
}

nlohmann::json normalize_fill_value(const nlohmann::json& fill, const DType& dtype) {
  auto float_text = [](const nlohmann::json& v) -> nlohmann::json {
    if (!v.is_number_float()) return v;
    double d = v.get<double>();
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    return v;
  };
  bool zero = fill.is_number() && fill.get<double>() == 0;
  switch (dtype.kind()) {
    case DTypeKind::Float:
      return float_text(fill);
    case DTypeKind::Complex:
      if (fill.is_array() && fill.size() == 2) {
        return nlohmann::json::array({float_text(fill[0]), float_text(fill[1])});
      }
      return fill.is_number() ? nlohmann::json::array({float_text(fill), 0.0}) : fill;
    case DTypeKind::Bool:
      if (fill.is_number_integer() &&
          (fill.get<std::int64_t>() == 0 || fill.get<std::int64_t>() == 1)) {
        return fill.get<std::int64_t>() == 1;
      }
      return fill;
    case DTypeKind::Bytes:
    case DTypeKind::Void:
      return zero ? nlohmann::json(base64_encode(Bytes(dtype.itemsize(), std::byte{0}))) : fill;
    case DTypeKind::Unicode:
      return zero ? nlohmann::json("") : fill;
    default:
      return fill;
  }
}

Bytes fill_value_bytes(const nlohmann::json& v, const DType& dtype, std::string_view what) {
  std::size_t size = dtype.itemsize();
  Bytes out(size, std::byte{0});
  if (v.is_null()) return out;
  switch (dtype.kind()) {
    case DTypeKind::Bool: {
      bool b = false;
      if (v.is_boolean()) {
        b = v.get<bool>();
      } else if (v.is_number_integer() &&
                 (v.get<std::int64_t>() == 0 || v.get<std::int64_t>() == 1)) {
        b = v.get<std::int64_t>() == 1;
      } else {
        corrupt(what, "fill_value " + v.dump() + " is not a bool");
      }
      out[0] = std::byte{b ? std::uint8_t{1} : std::uint8_t{0}};
      return out;
    }
    case DTypeKind::Int:
    case DTypeKind::UInt:
      store_int(dtype.kind(), size, v, out.data(), what);
      break;
    case DTypeKind::Float:
      store_float(float_value(v, what), size, out.data());
      break;
    case DTypeKind::Complex: {
      double re = 0, im = 0;
      if (v.is_array() && v.size() == 2) {
        re = float_value(v[0], what);
        im = float_value(v[1], what);
      } else {
        re = float_value(v, what);
      }
      store_float(re, size / 2, out.data());
      store_float(im, size / 2, out.data() + size / 2);
      break;
    }
    case DTypeKind::Bytes:
    case DTypeKind::Void: {
      if (!v.is_string()) corrupt(what, "fill_value must be base64 text for " + dtype.str());
      Bytes raw = fill_bytes_from_base64(v.get_ref<const std::string&>(), what);
      if (raw.size() > size) corrupt(what, "fill_value is longer than the dtype " + dtype.str());
      std::copy(raw.begin(), raw.end(), out.begin());
      return out;
    }
    case DTypeKind::Unicode: {
      if (!v.is_string()) corrupt(what, "fill_value must be a string for " + dtype.str());
      std::vector<std::uint32_t> cps = utf8_code_points(v.get_ref<const std::string&>(), what);
      if (cps.size() * 4 > size)
        corrupt(what, "fill_value is longer than the dtype " + dtype.str());
      // An empty string has no code points, and memcpy from their null data() is undefined.
      if (!cps.empty()) std::memcpy(out.data(), cps.data(), cps.size() * 4);
      break;
    }
  }
  if (dtype.is_foreign_order()) swap_units(out.data(), size, dtype.swap_unit());
  return out;
}

}  // namespace ndbucket
