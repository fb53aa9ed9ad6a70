#include "ndbucket/array/region.hpp"

#include <algorithm>
#include <charconv>

#include "ndbucket/core/error.hpp"

namespace ndbucket {

namespace {

// NumPy's clamping of a slice bound to [0, extent] (negative values count from the end).
std::size_t clamp_bound(std::int64_t value, std::size_t extent) {
  std::int64_t n = static_cast<std::int64_t>(extent);
  if (value < 0) value += n;
  return static_cast<std::size_t>(std::clamp<std::int64_t>(value, 0, n));
}

[[noreturn]] void bad_region(std::string_view text, const std::string& why) {
  throw Error(ErrorCode::InvalidArgument,
              "bad slice '" + std::string(text) + "': " + why + " (expected e.g. 0:10,:,5:20:2)");
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

std::optional<std::int64_t> parse_bound(std::string_view part, std::string_view whole) {
  part = trim(part);
  if (part.empty()) return std::nullopt;
  std::int64_t value = 0;
  const char* begin = part.data();
  if (*begin == '+') ++begin;
  auto [end, ec] = std::from_chars(begin, part.data() + part.size(), value);
  if (ec != std::errc() || end != part.data() + part.size()) {
    bad_region(whole, "'" + std::string(part) + "' is not an integer");
  }
  return value;
}

}  // namespace

std::vector<ResolvedSlice> resolve_region(const Region& region, const Shape& shape) {
  if (region.size() > shape.ndim()) {
    throw Error(ErrorCode::InvalidArgument,
                "region " + format_region(region) + " has " + std::to_string(region.size()) +
                    " slices for an array of shape " + shape.to_tuple());
  }
  std::vector<ResolvedSlice> out(shape.ndim());
  for (std::size_t d = 0; d < shape.ndim(); ++d) {
    std::size_t extent = shape[d];
    Slice slice = d < region.size() ? region[d] : Slice::all();
    if (slice.step < 1) {
      throw Error(ErrorCode::InvalidArgument, "region " + format_region(region) +
                                                  ": step must be >= 1 (dimension " +
                                                  std::to_string(d) + ")");
    }
    std::size_t start = slice.start ? clamp_bound(*slice.start, extent) : 0;
    std::size_t stop = slice.stop ? clamp_bound(*slice.stop, extent) : extent;
    std::size_t step = static_cast<std::size_t>(slice.step);
    std::size_t count = stop > start ? (stop - start + step - 1) / step : 0;
    out[d] = {count == 0 ? 0 : start, count, step};
  }
  return out;
}

Shape selection_shape(const std::vector<ResolvedSlice>& resolved) {
  std::vector<std::size_t> dims;
  dims.reserve(resolved.size());
  for (const ResolvedSlice& s : resolved) dims.push_back(s.count);
  return Shape(std::move(dims));
}

ArrayView region_view(const ArrayView& view, const Region& region) {
  std::vector<ResolvedSlice> resolved = resolve_region(region, view.shape());
  const std::byte* data = view.data();
  Strides strides = view.strides();
  for (std::size_t d = 0; d < resolved.size(); ++d) {
    if (resolved[d].count > 0) {
      data += view.strides()[d] * static_cast<std::ptrdiff_t>(resolved[d].start);
    }
    strides[d] *= static_cast<std::ptrdiff_t>(resolved[d].step);
  }
  return ArrayView(data, view.dtype(), selection_shape(resolved), std::move(strides));
}

Region parse_region(std::string_view text) {
  Region region;
  if (trim(text).empty()) return region;
  std::string_view rest = text;
  while (true) {
    std::size_t comma = rest.find(',');
    std::string_view entry = trim(rest.substr(0, comma));
    if (entry.empty()) bad_region(text, "empty entry");
    if (entry == "...") bad_region(text, "'...' is not supported");
    std::size_t colons = static_cast<std::size_t>(std::count(entry.begin(), entry.end(), ':'));
    if (colons == 0) {
      region.push_back(Slice::index(*parse_bound(entry, text)));
    } else if (colons > 2) {
      bad_region(text, "too many ':' in '" + std::string(entry) + "'");
    } else {
      std::size_t c1 = entry.find(':');
      std::size_t c2 = colons == 2 ? entry.find(':', c1 + 1) : std::string_view::npos;
      Slice slice;
      slice.start = parse_bound(entry.substr(0, c1), text);
      slice.stop =
          parse_bound(entry.substr(c1 + 1, c2 == std::string_view::npos ? c2 : c2 - c1 - 1), text);
      if (c2 != std::string_view::npos) {
        std::optional<std::int64_t> step = parse_bound(entry.substr(c2 + 1), text);
        if (step && *step < 1) bad_region(text, "step must be >= 1");
        slice.step = step.value_or(1);
      }
      region.push_back(slice);
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return region;
}

std::string format_region(const Region& region) {
  std::string out;
  for (std::size_t d = 0; d < region.size(); ++d) {
    if (d) out += ',';
    const Slice& s = region[d];
    if (s.start) out += std::to_string(*s.start);
    out += ':';
    if (s.stop) out += std::to_string(*s.stop);
    if (s.step != 1) out += ':' + std::to_string(s.step);
  }
  return out;
}

}  // namespace ndbucket
