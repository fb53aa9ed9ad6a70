#include "ndbucket/store/prefix_store.hpp"

#include "ndbucket/store/key.hpp"
#include "ndbucket/store/object_upload.hpp"

namespace ndbucket {

PrefixStore::PrefixStore(std::shared_ptr<ObjectStore> inner, std::string_view prefix)
    : inner_(std::move(inner)) {
  if (!inner_) throw Error(ErrorCode::InvalidArgument, "PrefixStore needs a store to wrap");
  if (prefix.starts_with('/') || prefix.ends_with('/')) {
    throw Error(ErrorCode::InvalidArgument, "store prefix '" + std::string(prefix) + "' in " +
                                                inner_->url() + " must not start or end with '/'");
  }
  validate_key(prefix, inner_->url());
  prefix_ = std::string(prefix) + "/";
}

std::string PrefixStore::url() const {
  return inner_->describe(prefix_.substr(0, prefix_.size() - 1));
}

std::string PrefixStore::inner_key(std::string_view key) const {
  // Validated here too so the message names this store's URL and the caller's key.
  validate_key(key, url());
  return prefix_ + std::string(key);
}

ObjectInfo PrefixStore::outer_info(ObjectInfo info) const {
  info.key.erase(0, prefix_.size());
  return info;
}

ObjectInfo PrefixStore::put(std::string_view key, ByteSpan body, const PutOptions& options) {
  return outer_info(inner_->put(inner_key(key), body, options));
}

namespace {

// The wrapped store's upload, with the committed info's key given back without the prefix.
class PrefixedUpload final : public ObjectUpload {
 public:
  PrefixedUpload(std::unique_ptr<ObjectUpload> inner, std::string what, std::size_t prefix_size)
      : ObjectUpload(std::move(what)), inner_(std::move(inner)), prefix_size_(prefix_size) {}
  ~PrefixedUpload() override { abort(); }

 protected:
  void append(ByteSpan data) override { inner_->write(data); }
  ObjectInfo publish() override {
    ObjectInfo info = inner_->commit();
    info.key.erase(0, prefix_size_);
    return info;
  }
  void discard() noexcept override { inner_->abort(); }

 private:
  std::unique_ptr<ObjectUpload> inner_;
  std::size_t prefix_size_;
};

}  // namespace

std::unique_ptr<ObjectUpload> PrefixStore::begin_upload(std::string_view key,
                                                        const PutOptions& options) {
  return std::make_unique<PrefixedUpload>(inner_->begin_upload(inner_key(key), options),
                                          describe(key), prefix_.size());
}

GetResult PrefixStore::get(std::string_view key, const std::optional<ByteRange>& range) {
  GetResult result = inner_->get(inner_key(key), range);
  result.info = outer_info(std::move(result.info));
  return result;
}

ObjectInfo PrefixStore::get_into(std::string_view key, MutableByteSpan destination,
                                 const std::optional<ByteRange>& range) {
  return outer_info(inner_->get_into(inner_key(key), destination, range));
}

std::optional<ObjectInfo> PrefixStore::head(std::string_view key) {
  auto info = inner_->head(inner_key(key));
  if (!info) return std::nullopt;
  return outer_info(std::move(*info));
}

void PrefixStore::list_pages(std::string_view prefix, const ListOptions& options,
                             const std::function<bool(ListPage&)>& on_page) {
  inner_->list_pages(prefix_ + std::string(prefix), options, [&](ListPage& page) {
    for (ObjectInfo& info : page.objects) info.key.erase(0, prefix_.size());
    for (std::string& common : page.common_prefixes) common.erase(0, prefix_.size());
    return on_page(page);
  });
}

void PrefixStore::remove(std::string_view key) { inner_->remove(inner_key(key)); }

std::vector<std::optional<Error>> PrefixStore::remove_many(const std::vector<std::string>& keys) {
  // An invalid key fails alone, as any other per-item error would.
  std::vector<std::optional<Error>> errors(keys.size());
  std::vector<std::string> inner_keys;
  std::vector<std::size_t> positions;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    try {
      inner_keys.push_back(inner_key(keys[i]));
      positions.push_back(i);
    } catch (const Error& error) {
      errors[i] = error;
    }
  }
  std::vector<std::optional<Error>> inner_errors = inner_->remove_many(inner_keys);
  for (std::size_t j = 0; j < positions.size(); ++j) errors[positions[j]] = inner_errors[j];
  return errors;
}

ObjectInfo PrefixStore::copy(std::string_view source, std::string_view destination) {
  return outer_info(inner_->copy(inner_key(source), inner_key(destination)));
}

}  // namespace ndbucket
