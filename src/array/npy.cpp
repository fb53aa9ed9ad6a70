#include "ndbucket/array/npy.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

namespace ndbucket {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;
// NumPy aligns the start of the data to 64 bytes (ARRAY_ALIGN) so it can be memory-mapped.
constexpr std::size_t kAlign = 64;
// The most dimensions a shape may have (NumPy's NPY_MAXDIMS is 32 up to 1.x, 64 in 2.x).
constexpr std::size_t kMaxDims = 64;

[[noreturn]] void corrupt(std::string_view what, const std::string& why) {
  throw Error(ErrorCode::Corrupt, std::string(what) + ": not a valid .npy: " + why);
}

std::uint32_t read_le(const std::byte* p, std::size_t n) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < n; ++i) value |= std::to_integer<std::uint32_t>(p[i]) << (8 * i);
  return value;
}

// A strict reader of the one dict literal NumPy writes; every deviation is Corrupt.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, std::string_view what) : text_(text), what_(what) {}

  NpyHeader parse() {
    NpyHeader header;
    bool have_descr = false, have_order = false, have_shape = false;
    skip_space();
    expect('{');
    while (true) {
      skip_space();
      if (peek() == '}') break;
      std::string key = parse_string();
      skip_space();
      expect(':');
      skip_space();
      if (key == "descr") {
        if (have_descr) fail("duplicate key 'descr'");
        have_descr = true;
        if (peek() == '[' || peek() == '{') {
          throw Error(ErrorCode::Unsupported,
                      std::string(what_) + ": structured .npy dtypes are not supported");
        }
        std::string descr = parse_string();
        try {
          header.dtype = DType::parse(descr);
        } catch (const Error& error) {
          if (error.code() == ErrorCode::Unsupported) {
            throw Error(ErrorCode::Unsupported, std::string(what_) + ": " + error.message());
          }
          fail(error.message());
        }
      } else if (key == "fortran_order") {
        if (have_order) fail("duplicate key 'fortran_order'");
        have_order = true;
        if (take("True")) {
          header.order = Order::F;
        } else if (take("False")) {
          header.order = Order::C;
        } else {
          fail("fortran_order is not True or False");
        }
      } else if (key == "shape") {
        if (have_shape) fail("duplicate key 'shape'");
        have_shape = true;
        header.shape = parse_shape();
      } else {
        fail("unexpected key '" + key + "'");
      }
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') fail("expected ',' or '}'");
    }
    expect('}');
    skip_space();
    if (pos_ != text_.size()) fail("text after the header dict");
    if (!have_descr || !have_order || !have_shape) {
      fail("the header lacks 'descr', 'fortran_order' or 'shape'");
    }
    try {
      header.shape.nbytes(header.dtype.itemsize());
    } catch (const Error& error) {
      fail(error.message());
    }
    return header;
  }

 private:
  [[noreturn]] void fail(const std::string& why) {
    corrupt(what_, why + " (at header offset " + std::to_string(pos_) + ")");
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  bool take(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  std::string parse_string() {
    char quote = peek();
    if (quote != '\'' && quote != '"') fail("expected a string");
    std::size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) fail("unterminated string");
    std::string_view body = text_.substr(pos_ + 1, end - pos_ - 1);
    if (body.size() > 64 || body.find('\\') != std::string_view::npos) {
      fail("unexpected string");
    }
    pos_ = end + 1;
    return std::string(body);
  }
  Shape parse_shape() {
    expect('(');
    std::vector<std::size_t> dims;
    skip_space();
    while (peek() != ')') {
      if (peek() < '0' || peek() > '9') fail("expected a dimension");
      std::size_t value = 0;
      auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + text_.size(), value);
      if (ec != std::errc()) fail("dimension out of range");
      pos_ = static_cast<std::size_t>(end - text_.data());
      if (peek() == 'L') ++pos_;  // Python 2 longs
      dims.push_back(value);
      if (dims.size() > kMaxDims) fail("too many dimensions");
      skip_space();
      if (peek() == ',') {
        ++pos_;
        skip_space();
      } else if (peek() != ')') {
        fail("expected ',' or ')' in shape");
      } else if (dims.size() == 1) {
        fail("a 1-d shape needs a trailing ','");
      }
    }
    ++pos_;
    return Shape(std::move(dims));
  }

  std::string_view text_;
  std::string_view what_;
  std::size_t pos_ = 0;
};

[[noreturn]] void fail_file(int err, const std::string& action, const std::filesystem::path& path) {
  ErrorCode code = err == ENOENT   ? ErrorCode::NotFound
                   : err == EACCES ? ErrorCode::PermissionDenied
                                   : ErrorCode::Io;
  throw Error(code, action + " '" + path.string() + "': " + std::strerror(err));
}

struct FileCloser {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

}  // namespace

std::size_t npy_data_offset(ByteSpan prefix, std::string_view what) {
  if (prefix.size() < kMagicSize + 2 || std::memcmp(prefix.data(), kMagic, kMagicSize) != 0) {
    corrupt(what, "no \\x93NUMPY magic");
  }
  int major = std::to_integer<int>(prefix[6]);
  int minor = std::to_integer<int>(prefix[7]);
  if (major < 1 || major > 3 || minor != 0) {
    corrupt(what, "unknown version " + std::to_string(major) + "." + std::to_string(minor));
  }
  std::size_t length_size = major == 1 ? 2 : 4;
  if (prefix.size() < 8 + length_size) corrupt(what, "truncated header length");
  std::size_t length = read_le(prefix.data() + 8, length_size);
  if (length > kMaxNpyHeaderSize) {
    corrupt(what, "header of " + std::to_string(length) + " bytes is too long");
  }
  return 8 + length_size + length;
}

NpyHeader parse_npy_header(ByteSpan bytes, std::string_view what) {
  std::size_t offset = npy_data_offset(bytes, what);
  if (bytes.size() < offset) corrupt(what, "truncated header");
  int major = std::to_integer<int>(bytes[6]);
  std::size_t start = major == 1 ? 10 : 12;
  std::string_view text = as_string_view(bytes.subspan(start, offset - start));
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n' && c != '\t' && c != '\r') || u >= 0x7f) {
      corrupt(what, "non-ASCII byte in the header");
    }
  }
  NpyHeader header = HeaderParser(text, what).parse();
  header.major_version = major;
  header.data_offset = offset;
  return header;
}

Bytes make_npy_header(const DType& dtype, const Shape& shape, Order order, int version) {
  if (version < 0 || version > 3) {
    throw Error(ErrorCode::InvalidArgument,
                ".npy version " + std::to_string(version) + " does not exist (1, 2 or 3)");
  }
  std::string dict = "{'descr': '" + dtype.str() +
                     "', 'fortran_order': " + (order == Order::F ? "True" : "False") +
                     ", 'shape': " + shape.to_tuple() + ", }";
  auto layout = [&](int v) {
    std::size_t preamble = v == 1 ? 10 : 12;
    std::size_t unpadded = preamble + dict.size() + 1;
    return dict.size() + (kAlign - unpadded % kAlign) % kAlign + 1;
  };
  if (version == 0) version = layout(1) <= 0xffff ? 1 : 2;
  std::size_t length = layout(version);
  if (version == 1 && length > 0xffff) {
    throw Error(ErrorCode::InvalidArgument, "header too long for .npy version 1.0");
  }
  Bytes out(kMagicSize);
  std::memcpy(out.data(), kMagic, kMagicSize);
  out.push_back(static_cast<std::byte>(version));
  out.push_back(std::byte{0});
  for (std::size_t i = 0; i < (version == 1 ? 2u : 4u); ++i) {
    out.push_back(static_cast<std::byte>((length >> (8 * i)) & 0xff));
  }
  ByteSpan text = as_bytes(dict);
  out.insert(out.end(), text.begin(), text.end());
  out.resize(out.size() + (length - dict.size() - 1), std::byte{' '});
  out.push_back(std::byte{'\n'});
  return out;
}

namespace {
// The order a view is written in, and its bytes when it can be written without a copy.
Order npy_order(const ArrayView& view) {
  return (!view.is_c_contiguous() && view.is_f_contiguous()) ? Order::F : Order::C;
}
}  // namespace

Bytes encode_npy(const ArrayView& view, const NpyWriteOptions& options) {
  Order order = npy_order(view);
  Bytes out = make_npy_header(view.dtype(), view.shape(), order, options.version);
  std::size_t header = out.size();
  out.resize(header + view.nbytes());
  if (view.is_c_contiguous() || view.is_f_contiguous()) {
    if (view.nbytes()) std::memcpy(out.data() + header, view.data(), view.nbytes());
  } else {
    copy_elements(view,
                  MutableArrayView(out.data() + header, view.dtype(), view.shape(), Order::C));
  }
  return out;
}

Array decode_npy(ByteSpan bytes, std::string_view what) {
  NpyHeader header = parse_npy_header(bytes, what);
  std::size_t nbytes = header.shape.nbytes(header.dtype.itemsize());
  if (bytes.size() - header.data_offset < nbytes) {
    corrupt(what, "the data holds " + std::to_string(bytes.size() - header.data_offset) +
                      " bytes, the shape needs " + std::to_string(nbytes));
  }
  Array out = Array::uninitialized(header.dtype, header.shape, header.order);
  if (nbytes) std::memcpy(out.data(), bytes.data() + header.data_offset, nbytes);
  return out;
}

void save_npy_file(const std::filesystem::path& path, const ArrayView& view,
                   const NpyWriteOptions& options) {
  Order order = npy_order(view);
  Bytes header = make_npy_header(view.dtype(), view.shape(), order, options.version);
  std::optional<Array> copy;
  ByteSpan data;
  if (view.is_c_contiguous() || view.is_f_contiguous()) {
    data = ByteSpan(view.data(), view.nbytes());
  } else {
    copy = Array::copy_of(view, Order::C);
    data = copy->bytes();
  }
  std::filesystem::path tmp = path;
  tmp += ".ndbucket-" + std::to_string(::getpid()) + ".part";
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(tmp.c_str(), "wb"));
  if (!file) fail_file(errno, "cannot create", tmp);
  bool ok = std::fwrite(header.data(), 1, header.size(), file.get()) == header.size() &&
            (data.empty() || std::fwrite(data.data(), 1, data.size(), file.get()) == data.size());
  int err = errno;
  if (std::fclose(file.release()) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    std::remove(tmp.c_str());
    fail_file(err, "cannot write", path);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    err = errno;
    std::remove(tmp.c_str());
    fail_file(err, "cannot write", path);
  }
}

Array load_npy_file(const std::filesystem::path& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) fail_file(errno, "cannot open", path);
  std::string what = path.string();
  Bytes head(kNpyPreambleSize);
  head.resize(std::fread(head.data(), 1, head.size(), file.get()));
  std::size_t offset = npy_data_offset(head, what);
  std::size_t have = head.size();
  if (offset > have) {
    head.resize(offset);
    std::size_t got = std::fread(head.data() + have, 1, offset - have, file.get());
    head.resize(have + got);
  }
  NpyHeader header = parse_npy_header(head, what);
  // The file's size bounds the allocation, so a forged shape cannot ask for more memory.
  std::size_t nbytes = header.shape.nbytes(header.dtype.itemsize());
  if (std::fseek(file.get(), 0, SEEK_END) != 0) fail_file(errno, "cannot seek in", path);
  long end = std::ftell(file.get());
  if (end < 0) fail_file(errno, "cannot seek in", path);
  if (static_cast<std::size_t>(end) - header.data_offset < nbytes) {
    corrupt(what, "the data holds " +
                      std::to_string(static_cast<std::size_t>(end) - header.data_offset) +
                      " bytes, the shape needs " + std::to_string(nbytes));
  }
  if (std::fseek(file.get(), static_cast<long>(header.data_offset), SEEK_SET) != 0) {
    fail_file(errno, "cannot seek in", path);
  }
  Array out = Array::uninitialized(header.dtype, header.shape, header.order);
  std::size_t got = out.nbytes() ? std::fread(out.data(), 1, out.nbytes(), file.get()) : 0;
  if (got != out.nbytes()) {
    if (std::ferror(file.get())) fail_file(errno, "cannot read", path);
    corrupt(what, "the data holds " + std::to_string(got) + " bytes, the shape needs " +
                      std::to_string(out.nbytes()));
  }
  return out;
}

}  // namespace ndbucket
