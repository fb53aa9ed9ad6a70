#include "ndbucket/store/object_store.hpp"

#include "ndbucket/core/error.hpp"

#include <algorithm>

namespace ndbucket {

ResolvedRange resolve_range(const ByteRange& range, std::uint64_t object_size,
                            std::string_view what) {
  auto unsatisfiable = [&](const std::string& detail) {
    return Error(ErrorCode::InvalidArgument, "range not satisfiable for " + std::string(what) +
                                                 " (" + std::to_string(object_size) +
                                                 " bytes): " + detail);
  };
  if (range.suffix) {
    // S3 answers 416 for a suffix of an empty object and for "bytes=-0".
    if (*range.suffix == 0) throw unsatisfiable("a suffix range of 0 bytes");
    if (object_size == 0) throw unsatisfiable("the object is empty");
    std::uint64_t count = std::min(*range.suffix, object_size);
    return {object_size - count, object_size};
  }
  if (range.length && *range.length == 0) throw unsatisfiable("a range of 0 bytes");
  if (range.offset >= object_size) {
    throw unsatisfiable("offset " + std::to_string(range.offset) + " is at or past the end");
  }
  std::uint64_t remaining = object_size - range.offset;
  std::uint64_t count = range.length ? std::min(*range.length, remaining) : remaining;
  return {range.offset, range.offset + count};
}

void check_destination_size(std::uint64_t available, std::size_t wanted, std::string_view what) {
  if (available != wanted) {
    throw Error(ErrorCode::InvalidArgument,
                "cannot read " + std::to_string(available) + " bytes of " + std::string(what) +
                    " into a buffer of " + std::to_string(wanted) + " bytes");
  }
}

ObjectInfo ObjectStore::get_into(std::string_view key, MutableByteSpan destination,
                                 const std::optional<ByteRange>& range) {
  GetResult result = get(key, range);
  check_destination_size(result.body.size(), destination.size(), describe(key));
  std::copy(result.body.begin(), result.body.end(), destination.begin());
  return std::move(result.info);
}

std::vector<std::optional<Error>> ObjectStore::remove_many(const std::vector<std::string>& keys) {
  std::vector<std::optional<Error>> errors(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    try {
      remove(keys[i]);
    } catch (const Error& error) {
      errors[i] = error;
    }
  }
  return errors;
}

ListResult ObjectStore::list(std::string_view prefix, const ListOptions& options) {
  ListResult result;
  list_pages(prefix, options, [&](ListPage& page) {
    std::move(page.objects.begin(), page.objects.end(), std::back_inserter(result.objects));
    std::move(page.common_prefixes.begin(), page.common_prefixes.end(),
              std::back_inserter(result.common_prefixes));
    return true;
  });
  return result;
}

std::optional<GetResult> ObjectStore::try_get(std::string_view key,
                                              const std::optional<ByteRange>& range) {
  try {
    return get(key, range);
  } catch (const Error& error) {
    if (error.code() == ErrorCode::NotFound) return std::nullopt;
    throw;
  }
}

std::string ObjectStore::describe(std::string_view key) const {
  std::string where = url();
  if (!where.empty() && where.back() != '/') where += '/';
  return where + std::string(key);
}

}  // namespace ndbucket
