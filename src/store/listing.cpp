#include "listing.hpp"

#include "ndbucket/core/error.hpp"

namespace ndbucket {

ListingPager::ListingPager(std::string_view prefix, const ListOptions& options,
                           const std::function<bool(ListPage&)>& on_page)
    : prefix_(prefix),
      delimiter_(options.delimiter),
      page_size_(options.page_size),
      on_page_(on_page) {
  if (page_size_ == 0) {
    throw Error(ErrorCode::InvalidArgument, "list page size must be at least 1");
  }
}

std::optional<std::string> ListingPager::rollup_of(std::string_view key) const {
  if (delimiter_.empty()) return std::nullopt;
  std::size_t at = key.find(delimiter_, prefix_.size());
  if (at == std::string_view::npos) return std::nullopt;
  return std::string(key.substr(0, at + delimiter_.size()));
}

bool ListingPager::flush_if_full() {
  if (page_.objects.size() + page_.common_prefixes.size() < page_size_) return true;
  ListPage full = std::move(page_);
  page_ = {};
  if (!on_page_(full)) stopped_ = true;
  return !stopped_;
}

bool ListingPager::add_object(ObjectInfo info) {
  if (stopped_) return false;
  page_.objects.push_back(std::move(info));
  return flush_if_full();
}

bool ListingPager::add_common_prefix(std::string common_prefix) {
  if (stopped_) return false;
  if (common_prefix == last_prefix_) return true;
  last_prefix_ = common_prefix;
  page_.common_prefixes.push_back(std::move(common_prefix));
  return flush_if_full();
}

void ListingPager::finish() {
  if (stopped_ || (page_.objects.empty() && page_.common_prefixes.empty())) return;
  ListPage last = std::move(page_);
  page_ = {};
  on_page_(last);
}

}  // namespace ndbucket
