#include "hdf5/h5_types.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "ndbucket/core/base64.hpp"

namespace ndbucket::hdf5 {

namespace {

H5Id type_id(hid_t id) { return H5Id(id, H5Tclose); }
H5Id space_id(hid_t id) { return H5Id(id, H5Sclose); }

char order_char(hid_t type) { return H5Tget_order(type) == H5T_ORDER_BE ? '>' : '<'; }

DType number_dtype(char order, char kind, std::size_t size) {
  return DType::parse(std::string(1, size == 1 ? '|' : order) + kind + std::to_string(size));
}

std::string member_name(hid_t type, unsigned index) {
  char* raw = H5Tget_member_name(type, index);
  std::string name = raw ? raw : "";
  if (raw) H5free_memory(raw);
  return name;
}

// h5py's bool: an enum over a signed 1-byte integer with exactly FALSE = 0 and TRUE = 1.
bool is_h5py_bool(hid_t type) {
  if (H5Tget_class(type) != H5T_ENUM || H5Tget_nmembers(type) != 2 || H5Tget_size(type) != 1) {
    return false;
  }
  for (unsigned i = 0; i < 2; ++i) {
    std::int8_t value = -1;
    if (H5Tget_member_value(type, i, &value) < 0) return false;
    std::string name = member_name(type, i);
    if (!((name == "FALSE" && value == 0) || (name == "TRUE" && value == 1))) return false;
  }
  return true;
}

// h5py's complex: a compound of two floats of one type, real part at 0, imaginary right after.
std::optional<DType> complex_dtype(hid_t type) {
  if (H5Tget_nmembers(type) != 2) return std::nullopt;
  H5Id real = type_id(H5Tget_member_type(type, 0));
  H5Id imag = type_id(H5Tget_member_type(type, 1));
  if (!real || !imag || H5Tget_class(real.get()) != H5T_FLOAT ||
      H5Tequal(real.get(), imag.get()) <= 0) {
    return std::nullopt;
  }
  std::size_t part = H5Tget_size(real.get());
  if ((part != 4 && part != 8) || H5Tget_size(type) != 2 * part ||
      H5Tget_member_offset(type, 0) != 0 || H5Tget_member_offset(type, 1) != part) {
    return std::nullopt;
  }
  return number_dtype(order_char(real.get()), 'c', 2 * part);
}

// Element bytes in native order, for reading numbers out of them.
std::vector<std::byte> native_bytes(const std::byte* element, std::size_t size, bool foreign) {
  std::vector<std::byte> bytes(element, element + size);
  if (foreign) std::reverse(bytes.begin(), bytes.end());
  return bytes;
}

template <typename T>
T load(const std::vector<std::byte>& bytes) {
  T value;
  std::memcpy(&value, bytes.data(), sizeof(T));
  return value;
}

double half_to_double(std::uint16_t h) {
  int exponent = (h >> 10) & 0x1f;
  double mantissa = h & 0x3ff;
  double value = exponent == 0    ? std::ldexp(mantissa, -24)
                 : exponent == 31 ? (mantissa != 0 ? std::numeric_limits<double>::quiet_NaN()
                                                   : std::numeric_limits<double>::infinity())
                                  : std::ldexp(mantissa + 1024, exponent - 25);
  return (h & 0x8000) ? -value : value;
}

nlohmann::json float_json(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return value;
}

nlohmann::json float_element(const std::byte* p, std::size_t size, bool foreign) {
  std::vector<std::byte> bytes = native_bytes(p, size, foreign);
  if (size == 2) return float_json(half_to_double(load<std::uint16_t>(bytes)));
  if (size == 4) return float_json(load<float>(bytes));
  return float_json(load<double>(bytes));
}

nlohmann::json integer_element(const std::byte* p, std::size_t size, bool is_signed, bool foreign) {
  std::vector<std::byte> bytes = native_bytes(p, size, foreign);
  switch (size) {
    case 1:
      return is_signed ? nlohmann::json(load<std::int8_t>(bytes))
                       : nlohmann::json(load<std::uint8_t>(bytes));
    case 2:
      return is_signed ? nlohmann::json(load<std::int16_t>(bytes))
                       : nlohmann::json(load<std::uint16_t>(bytes));
    case 4:
      return is_signed ? nlohmann::json(load<std::int32_t>(bytes))
                       : nlohmann::json(load<std::uint32_t>(bytes));
    default:
      return is_signed ? nlohmann::json(load<std::int64_t>(bytes))
                       : nlohmann::json(load<std::uint64_t>(bytes));
  }
}

// JSON text must be UTF-8; HDF5 strings declared ASCII may hold anything, so bytes that are not
// UTF-8 are taken as Latin-1 rather than making the whole `.zattrs` unwritable.
bool is_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = c < 0x80         ? 0
                        : (c >> 5) == 6  ? 1
                        : (c >> 4) == 14 ? 2
                        : (c >> 3) == 30 ? 3
                                         : 4;
    if (extra > 3) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      if (i + k >= text.size() || (static_cast<unsigned char>(text[i + k]) >> 6) != 2) return false;
    }
    i += extra + 1;
  }
  return true;
}

std::string as_json_text(std::string text) {
  if (is_utf8(text)) return text;
  std::string out;
  for (unsigned char c : text) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xc0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  return out;
}

// Builds nested lists of `dims` from the flat C-order `values`.
nlohmann::json nest(const std::vector<nlohmann::json>& values, const std::vector<hsize_t>& dims,
                    std::size_t dim, std::size_t& next) {
  nlohmann::json list = nlohmann::json::array();
  for (hsize_t i = 0; i < dims[dim]; ++i) {
    list.push_back(dim + 1 == dims.size() ? values[next++] : nest(values, dims, dim + 1, next));
  }
  return list;
}

std::vector<std::string> read_strings(hid_t attr, hid_t type, std::size_t count,
                                      const std::string& what) {
  std::vector<std::string> out;
  H5Id memtype = type_id(H5Tcopy(H5T_C_S1));
  H5Tset_cset(memtype.get(), H5Tget_cset(type));
  if (H5Tis_variable_str(type) > 0) {
    H5Tset_size(memtype.get(), H5T_VARIABLE);
    std::vector<char*> pointers(count, nullptr);
    check_status(H5Aread(attr, memtype.get(), pointers.data()), ErrorCode::Corrupt, what,
                 "reading a string attribute");
    for (char* p : pointers) out.emplace_back(p ? p : "");
    H5Id space = space_id(H5Aget_space(attr));
    H5Dvlen_reclaim(memtype.get(), space.get(), H5P_DEFAULT, pointers.data());
    return out;
  }
  std::size_t size = H5Tget_size(type);
  H5Tset_size(memtype.get(), size);
  H5Tset_strpad(memtype.get(), H5T_STR_NULLPAD);
  std::vector<char> buffer(size * count);
  check_status(H5Aread(attr, memtype.get(), buffer.data()), ErrorCode::Corrupt, what,
               "reading a string attribute");
  bool space_padded = H5Tget_strpad(type) == H5T_STR_SPACEPAD;
  for (std::size_t i = 0; i < count; ++i) {
    std::string text(buffer.data() + i * size, size);
    text.erase(
        text.find_last_not_of(space_padded ? std::string(1, ' ') + '\0' : std::string(1, '\0')) +
        1);
    out.push_back(std::move(text));
  }
  return out;
}

}  // namespace

std::optional<DType> dtype_of(hid_t type, std::string& why) {
  std::size_t size = H5Tget_size(type);
  switch (H5Tget_class(type)) {
    case H5T_INTEGER:
      if (size == 1 || size == 2 || size == 4 || size == 8) {
        return number_dtype(order_char(type), H5Tget_sign(type) == H5T_SGN_NONE ? 'u' : 'i', size);
      }
      why = std::to_string(size) + "-byte integer type";
      return std::nullopt;
    case H5T_FLOAT:
      if (size == 2 || size == 4 || size == 8) return number_dtype(order_char(type), 'f', size);
      why = std::to_string(size) + "-byte float type";
      return std::nullopt;
    case H5T_ENUM: {
      if (is_h5py_bool(type)) return DType::parse("|b1");
      H5Id base = type_id(H5Tget_super(type));
      return dtype_of(base.get(), why);
    }
    case H5T_STRING:
      if (H5Tis_variable_str(type) > 0) {
        why = "variable-length string";
        return std::nullopt;
      }
      return DType::parse("|S" + std::to_string(size));
    case H5T_COMPOUND:
      if (auto complex = complex_dtype(type)) return complex;
      why = "compound type";
      return std::nullopt;
    case H5T_VLEN:
      why = "variable-length type";
      return std::nullopt;
    case H5T_REFERENCE:
      why = "reference type";
      return std::nullopt;
    case H5T_ARRAY:
      why = "array type";
      return std::nullopt;
    case H5T_OPAQUE:
      why = "opaque type";
      return std::nullopt;
    case H5T_BITFIELD:
      why = "bitfield type";
      return std::nullopt;
    default:
      why = "unknown type class";
      return std::nullopt;
  }
}

H5Id h5_type_for(const DType& dtype) {
  bool big = dtype.byte_order() == ByteOrder::Big;
  std::size_t size = dtype.itemsize();
  auto ordered = [&](hid_t base) {
    H5Id type = type_id(H5Tcopy(base));
    H5Tset_order(type.get(), big ? H5T_ORDER_BE : H5T_ORDER_LE);
    return type;
  };
  auto float_type = [&](std::size_t bytes) {
    if (bytes == 2) {
      // IEEE binary16 built the way h5py builds it (libhdf5 1.10 has no predefined one).
      H5Id type = ordered(H5T_IEEE_F32LE);
      H5Tset_fields(type.get(), 15, 10, 5, 0, 10);
      H5Tset_size(type.get(), 2);
      H5Tset_ebias(type.get(), 15);
      return type;
    }
    return ordered(bytes == 4 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE);
  };
  switch (dtype.kind()) {
    case DTypeKind::Bool: {
      H5Id type = type_id(H5Tenum_create(H5T_NATIVE_INT8));
      std::int8_t value = 0;
      H5Tenum_insert(type.get(), "FALSE", &value);
      value = 1;
      H5Tenum_insert(type.get(), "TRUE", &value);
      return type;
    }
    case DTypeKind::Int:
      return ordered(size == 1   ? H5T_STD_I8LE
                     : size == 2 ? H5T_STD_I16LE
                     : size == 4 ? H5T_STD_I32LE
                                 : H5T_STD_I64LE);
    case DTypeKind::UInt:
      return ordered(size == 1   ? H5T_STD_U8LE
                     : size == 2 ? H5T_STD_U16LE
                     : size == 4 ? H5T_STD_U32LE
                                 : H5T_STD_U64LE);
    case DTypeKind::Float:
      return float_type(size);
    case DTypeKind::Complex: {
      H5Id part = float_type(size / 2);
      H5Id type = type_id(H5Tcreate(H5T_COMPOUND, size));
      H5Tinsert(type.get(), "r", 0, part.get());
      H5Tinsert(type.get(), "i", size / 2, part.get());
      return type;
    }
    case DTypeKind::Bytes: {
      H5Id type = type_id(H5Tcopy(H5T_C_S1));
      H5Tset_size(type.get(), size);
      H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
      return type;
    }
    default:
      return {};
  }
}

nlohmann::json fill_value_json(const std::byte* element, const DType& dtype) {
  std::size_t size = dtype.itemsize();
  bool foreign = dtype.is_foreign_order();
  switch (dtype.kind()) {
    case DTypeKind::Bool:
      return element[0] != std::byte{0};
    case DTypeKind::Int:
    case DTypeKind::UInt:
      return integer_element(element, size, dtype.kind() == DTypeKind::Int, foreign);
    case DTypeKind::Float:
      return float_element(element, size, foreign);
    case DTypeKind::Complex:
      return nlohmann::json::array({float_element(element, size / 2, foreign),
                                    float_element(element + size / 2, size / 2, foreign)});
    default:
      return base64_encode(ByteSpan(element, size));
  }
}

std::optional<nlohmann::json> read_attribute(hid_t attr, const std::string& what,
                                             std::string& why) {
  H5Id space = space_id(check_id(H5Aget_space(attr), ErrorCode::Corrupt, what, "H5Aget_space"));
  H5S_class_t space_class = H5Sget_simple_extent_type(space.get());
  if (space_class == H5S_NULL) return nlohmann::json(nullptr);
  std::vector<hsize_t> dims(
      static_cast<std::size_t>(std::max(0, H5Sget_simple_extent_ndims(space.get()))));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  std::size_t count = 1;
  for (hsize_t d : dims) count *= static_cast<std::size_t>(d);
  H5Id type = type_id(check_id(H5Aget_type(attr), ErrorCode::Corrupt, what, "H5Aget_type"));
  std::vector<nlohmann::json> values;
  values.reserve(count);
  H5T_class_t type_class = H5Tget_class(type.get());
  if (count == 0) {
    // Nothing to read (and libhdf5 refuses the null buffer of an empty vector).
  } else if (type_class == H5T_STRING) {
    for (std::string& text : read_strings(attr, type.get(), count, what)) {
      values.emplace_back(as_json_text(std::move(text)));
    }
  } else {
    std::optional<DType> dtype = dtype_of(type.get(), why);
    if (!dtype) return std::nullopt;
    // Read with the file type itself: no conversion, elements as stored.
    std::vector<std::byte> buffer(dtype->itemsize() * count);
    check_status(H5Aread(attr, type.get(), buffer.data()), ErrorCode::Corrupt, what,
                 "reading an attribute");
    for (std::size_t i = 0; i < count; ++i) {
      values.push_back(fill_value_json(buffer.data() + i * dtype->itemsize(), *dtype));
    }
  }
  if (dims.empty()) return values.empty() ? nlohmann::json(nullptr) : values[0];
  std::size_t next = 0;
  return nest(values, dims, 0, next);
}

namespace {

enum class LeafKind { Bool, Int, UInt, Float, String };

// The common kind of a list's leaves and its rectangular dims; nullopt when the value is not a
// rectangular list of one kind of scalars (or a scalar).
struct Layout {
  std::vector<hsize_t> dims;
  LeafKind kind = LeafKind::Float;
  std::vector<const nlohmann::json*> leaves;
};

std::optional<LeafKind> leaf_kind(const nlohmann::json& value) {
  if (value.is_boolean()) return LeafKind::Bool;
  if (value.is_number_unsigned()) {
    return value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX) ? LeafKind::UInt
                                                                              : LeafKind::Int;
  }
  if (value.is_number_integer()) return LeafKind::Int;
  if (value.is_number_float()) return LeafKind::Float;
  if (value.is_string()) return LeafKind::String;
  return std::nullopt;
}

bool collect(const nlohmann::json& value, std::size_t depth, Layout& layout,
             std::optional<LeafKind>& kind) {
  if (depth < layout.dims.size()) {
    if (!value.is_array() || value.size() != layout.dims[depth]) return false;
    for (const auto& item : value) {
      if (!collect(item, depth + 1, layout, kind)) return false;
    }
    return true;
  }
  std::optional<LeafKind> k = leaf_kind(value);
  if (!k) return false;
  if (!kind) {
    kind = k;
  } else if (*kind != *k) {
    bool numbers = *kind != LeafKind::Bool && *kind != LeafKind::String && *k != LeafKind::Bool &&
                   *k != LeafKind::String;
    if (!numbers) return false;
    kind = LeafKind::Float;  // mixed integers and floats (or int64 and uint64) widen to float64
  }
  layout.leaves.push_back(&value);
  return true;
}

std::optional<Layout> layout_of(const nlohmann::json& value) {
  Layout layout;
  for (const nlohmann::json* p = &value; p->is_array(); p = &(*p)[0]) {
    layout.dims.push_back(p->size());
    if (p->empty()) break;
  }
  std::optional<LeafKind> kind;
  if (!collect(value, 0, layout, kind)) return std::nullopt;
  layout.kind = kind.value_or(LeafKind::Float);  // [] is an empty float64 array, as numpy makes
  return layout;
}

template <typename T>
std::vector<T> leaves_as(const Layout& layout) {
  std::vector<T> out;
  out.reserve(layout.leaves.size());
  for (const nlohmann::json* leaf : layout.leaves) {
    out.push_back(leaf->get<T>());
  }
  return out;
}

}  // namespace

bool write_attribute(hid_t object, const std::string& name, const nlohmann::json& value,
                     const std::string& what) {
  std::optional<Layout> layout = layout_of(value);
  bool as_text = !layout;
  if (as_text) {
    layout = Layout{};
    layout->kind = LeafKind::String;
  }
  std::string text = as_text ? value.dump() : "";
  if (as_text) layout->leaves = {nullptr};
  H5Id space =
      space_id(layout->dims.empty() ? H5Screate(H5S_SCALAR)
                                    : H5Screate_simple(static_cast<int>(layout->dims.size()),
                                                       layout->dims.data(), nullptr));
  H5Id type;
  std::vector<std::byte> bytes;
  std::vector<const char*> strings;
  auto put_numbers = [&](auto tag, hid_t file_type) {
    using T = decltype(tag);
    std::vector<T> numbers = leaves_as<T>(*layout);
    bytes.resize(numbers.size() * sizeof(T));
    if (!numbers.empty()) std::memcpy(bytes.data(), numbers.data(), bytes.size());
    type = type_id(H5Tcopy(file_type));
  };
  switch (layout->kind) {
    case LeafKind::Bool:
      type = h5_type_for(DType::parse("|b1"));
      for (const nlohmann::json* leaf : layout->leaves) {
        bytes.push_back(std::byte{static_cast<unsigned char>(leaf->get<bool>() ? 1 : 0)});
      }
      break;
    case LeafKind::Int:
      put_numbers(std::int64_t{}, H5T_NATIVE_INT64);
      break;
    case LeafKind::UInt:
      put_numbers(std::uint64_t{}, H5T_NATIVE_UINT64);
      break;
    case LeafKind::Float:
      put_numbers(double{}, H5T_NATIVE_DOUBLE);
      break;
    case LeafKind::String:
      type = type_id(H5Tcopy(H5T_C_S1));
      H5Tset_size(type.get(), H5T_VARIABLE);
      H5Tset_cset(type.get(), H5T_CSET_UTF8);
      for (const nlohmann::json* leaf : layout->leaves) {
        strings.push_back(leaf ? leaf->get_ref<const std::string&>().c_str() : text.c_str());
      }
      break;
  }
  std::string where = what + " attribute " + name;
  H5Id attr(
      check_id(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
               ErrorCode::Io, where, "H5Acreate2"),
      H5Aclose);
  const void* data = layout->kind == LeafKind::String ? static_cast<const void*>(strings.data())
                                                      : static_cast<const void*>(bytes.data());
  if (!layout->leaves.empty()) {  // libhdf5 refuses a null buffer even for no elements
    check_status(H5Awrite(attr.get(), type.get(), data), ErrorCode::Io, where, "H5Awrite");
  }
  return !as_text;
}

}  // namespace ndbucket::hdf5
