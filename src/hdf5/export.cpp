// export_hdf5: the Zarr tree is walked once to size the work, then each array is read from the
// store slab by slab (chunk reads in parallel, the next slab prefetched) and written on this
// thread, the only one calling libhdf5.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <future>

#include "hdf5/h5_handle.hpp"
#include "hdf5/h5_types.hpp"
#include "hdf5/slab_plan.hpp"
#include "ndbucket/array/chunked.hpp"
#include "ndbucket/codecs/registry.hpp"
#include "ndbucket/hdf5/hdf5.hpp"

namespace ndbucket {

namespace {

using hdf5::check_id;
using hdf5::check_status;
using hdf5::H5Id;

struct Member {
  std::string path;  // relative to the exported group ("" = the group itself)
  bool is_group = false;
};

void list_members(const ZarrGroup& group, const std::string& path, std::vector<Member>& out) {
  out.push_back({path, true});
  ZarrGroupMembers members = group.members(path);
  auto below = [&](const std::string& name) { return path.empty() ? name : path + "/" + name; };
  for (const std::string& name : members.arrays) out.push_back({below(name), false});
  for (const std::string& name : members.groups) list_members(group, below(name), out);
}

std::string h5_path(const std::string& path) { return "/" + path; }

void write_attributes(hid_t object, const nlohmann::json& attributes, const std::string& what,
                      const Hdf5ExportOptions& options) {
  for (const auto& [name, value] : attributes.items()) {
    if (!hdf5::write_attribute(object, name, value, what) && options.warning) {
      options.warning(what + " attribute " + name + " written as JSON text: " + value.dump());
    }
  }
}

// The deflate level for a zlib or gzip compressor (numcodecs' default level is 1), else nullopt.
std::optional<unsigned> deflate_level(const nlohmann::json& compressor) {
  if (!compressor.is_object()) return std::nullopt;
  std::string id = compressor.value("id", "");
  std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return std::tolower(c); });
  if (id != "zlib" && id != "gzip") return std::nullopt;
  auto level = compressor.find("level");
  int value = level != compressor.end() && level->is_number_integer() ? level->get<int>() : 1;
  return static_cast<unsigned>(std::clamp(value, 0, 9));
}

// HDF5 chunks must fit the dataset's fixed extents (0 extents are made unlimited, the only way
// HDF5 chunks an empty dimension) and stay under 4 GiB.
std::vector<hsize_t> hdf5_chunks(const ZarrArrayMetadata& meta) {
  std::vector<hsize_t> chunks;
  for (std::size_t d = 0; d < meta.chunks.size(); ++d) {
    chunks.push_back(meta.shape[d] == 0 ? meta.chunks[d]
                                        : std::min<hsize_t>(meta.chunks[d], meta.shape[d]));
  }
  auto bytes = [&] {
    std::uint64_t total = meta.dtype.itemsize();
    for (hsize_t c : chunks) total *= c;
    return total;
  };
  while (bytes() >= (std::uint64_t{1} << 32) - 1) {
    auto largest = std::max_element(chunks.begin(), chunks.end());
    *largest = (*largest + 1) / 2;
  }
  return chunks;
}

void write_dataset(hid_t file, const ChunkedArray& array, const nlohmann::json& attributes,
                   const std::string& path, const std::string& what,
                   const Hdf5ExportOptions& options,
                   const std::function<void(std::uint64_t)>& slab_done) {
  const ZarrArrayMetadata& meta = array.metadata();
  H5Id type = hdf5::h5_type_for(meta.dtype);
  std::vector<hsize_t> dims(meta.shape.dims().begin(), meta.shape.dims().end());
  std::vector<hsize_t> max_dims = dims;
  for (hsize_t& extent : max_dims) extent = extent == 0 ? H5S_UNLIMITED : extent;
  H5Id space(dims.empty()
                 ? H5Screate(H5S_SCALAR)
                 : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), max_dims.data()),
             H5Sclose);
  H5Id dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (!dims.empty()) {
    std::vector<hsize_t> chunks = hdf5_chunks(meta);
    check_status(H5Pset_chunk(dcpl.get(), static_cast<int>(chunks.size()), chunks.data()),
                 ErrorCode::Io, what, "H5Pset_chunk");
    if (auto level = deflate_level(meta.compressor)) {
      check_status(H5Pset_deflate(dcpl.get(), *level), ErrorCode::Io, what, "H5Pset_deflate");
    }
  }
  if (!meta.fill_value.is_null()) {
    Bytes fill = fill_value_bytes(meta.fill_value, meta.dtype, what);
    check_status(H5Pset_fill_value(dcpl.get(), type.get(), fill.data()), ErrorCode::Io, what,
                 "H5Pset_fill_value");
  }
  H5Id dataset(check_id(H5Dcreate2(file, h5_path(path).c_str(), type.get(), space.get(),
                                   H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                        ErrorCode::Io, what, "H5Dcreate2"),
               H5Dclose);
  write_attributes(dataset.get(), attributes, what, options);

  // Two slabs live at once (one written, the next being fetched), plus the fetch's chunk buffers;
  // four chunks per fetching thread keep them all busy.
  std::uint64_t max_slab_bytes =
      std::clamp<std::uint64_t>(4 * options.concurrency * meta.chunk_nbytes(), 1,
                                std::max<std::uint64_t>(options.memory_budget / 3, 1));
  std::vector<hdf5::Slab> slabs =
      hdf5::plan_slabs(meta.shape, meta.chunks, meta.dtype.itemsize(), max_slab_bytes);
  auto fetch = [&array](const hdf5::Slab& slab) { return array.read(slab.region()); };
  std::future<Array> next;
  if (!slabs.empty()) next = std::async(std::launch::async, fetch, std::cref(slabs[0]));
  for (std::size_t i = 0; i < slabs.size(); ++i) {
    Array data = next.get();
    if (i + 1 < slabs.size()) next = std::async(std::launch::async, fetch, std::cref(slabs[i + 1]));
    const hdf5::Slab& slab = slabs[i];
    H5Id memspace;
    H5Id filespace;
    if (!slab.start.empty()) {
      std::vector<hsize_t> start(slab.start.begin(), slab.start.end());
      std::vector<hsize_t> count(slab.count.begin(), slab.count.end());
      filespace = H5Id(H5Dget_space(dataset.get()), H5Sclose);
      H5Sselect_hyperslab(filespace.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                          nullptr);
      memspace =
          H5Id(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose);
    }
    herr_t status = H5Dwrite(dataset.get(), type.get(), memspace ? memspace.get() : H5S_ALL,
                             filespace ? filespace.get() : H5S_ALL, H5P_DEFAULT, data.data());
    if (status < 0) {
      if (next.valid()) next.wait();
      hdf5::throw_h5(ErrorCode::Io, what, "writing region " + format_region(slab.region()));
    }
    slab_done(slab.nbytes);
  }
}

}  // namespace

Hdf5ExportReport export_hdf5(std::shared_ptr<ObjectStore> store, std::string_view prefix,
                             const std::filesystem::path& file, const Hdf5ExportOptions& options) {
  if (!store) throw Error(ErrorCode::InvalidArgument, "export_hdf5: null store");
  std::string file_name = file.string();
  std::error_code ec;
  if (!options.overwrite && std::filesystem::exists(file, ec)) {
    throw Error(ErrorCode::AlreadyExists, file_name + ": file exists (overwrite not set)");
  }
  ChunkedIoOptions io{.transfer = {}, .codecs = options.codecs};
  io.transfer.concurrency = std::max<std::size_t>(options.concurrency, 1);
  ZarrGroup root = ZarrGroup::open(store, prefix, true, io);
  std::vector<Member> members;
  list_members(root, "", members);

  Hdf5ExportReport report;
  std::vector<std::optional<ChunkedArray>> arrays;
  std::uint64_t total = 0;
  for (const Member& member : members) {
    if (member.is_group) {
      arrays.emplace_back();
      continue;
    }
    ChunkedArray array = root.open_array(member.path);
    if (!hdf5::h5_type_for(array.dtype())) {
      report.skipped.push_back(
          {h5_path(member.path), "dtype " + array.dtype().str() + " has no HDF5 equivalent"});
      if (options.warning) {
        options.warning(store->describe(array.key()) + " skipped: dtype " + array.dtype().str() +
                        " has no HDF5 equivalent");
      }
      arrays.emplace_back();
      continue;
    }
    total += array.shape().nbytes(array.dtype().itemsize());
    arrays.emplace_back(std::move(array));
  }

  std::filesystem::path temporary =
      file.string() + ".ndbucket-tmp-" + std::to_string(static_cast<long>(::getpid()));
  std::uint64_t done = 0;
  auto slab_done = [&](std::uint64_t bytes) {
    done += bytes;
    report.bytes += bytes;
    if (options.progress) options.progress(done, total);
  };
  try {
    hdf5::H5Session session;
    H5Id h5file(check_id(H5Fcreate(temporary.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                         ErrorCode::Io, temporary.string(), "H5Fcreate"),
                H5Fclose);
    for (std::size_t i = 0; i < members.size(); ++i) {
      const Member& member = members[i];
      std::string what = file_name + ":" + h5_path(member.path);
      if (member.is_group) {
        H5Id group(member.path.empty()
                       ? check_id(H5Gopen2(h5file.get(), "/", H5P_DEFAULT), ErrorCode::Io, what,
                                  "H5Gopen2")
                       : check_id(H5Gcreate2(h5file.get(), h5_path(member.path).c_str(),
                                             H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                  ErrorCode::Io, what, "H5Gcreate2"),
                   H5Gclose);
        write_attributes(group.get(), root.attributes(member.path), what, options);
        ++report.groups;
      } else if (arrays[i]) {
        write_dataset(h5file.get(), *arrays[i], root.attributes(member.path), member.path, what,
                      options, slab_done);
        ++report.datasets;
      }
    }
    // Closed here rather than by the handle so that a failed final flush is reported.
    check_status(H5Fclose(h5file.release()), ErrorCode::Io, temporary.string(), "H5Fclose");
    std::filesystem::rename(temporary, file);
  } catch (...) {
    std::filesystem::remove(temporary, ec);
    throw;
  }
  return report;
}

}  // namespace ndbucket
