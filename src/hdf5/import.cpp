// import_hdf5: one pass over the file plans every group and dataset (so the Fail policy throws
// before anything is written and progress knows the total), then datasets are streamed.
#include <algorithm>
#include <filesystem>
#include <future>
#include <set>

#include "hdf5/h5_handle.hpp"
#include "hdf5/h5_types.hpp"
#include "hdf5/slab_plan.hpp"
#include "ndbucket/array/array_store.hpp"
#include "ndbucket/hdf5/hdf5.hpp"

namespace ndbucket {

namespace {

using hdf5::check_id;
using hdf5::check_status;
using hdf5::H5Id;

struct GroupPlan {
  std::string path;  // HDF5 path
  std::string key;   // store key
  nlohmann::json attributes;
};

struct DatasetPlan {
  std::string path;
  std::string key;
  DType dtype = DType::of<double>();
  Shape shape;
  std::vector<std::size_t> hdf5_chunks;  // empty unless chunked
  nlohmann::json fill_value = 0;
  nlohmann::json attributes;
};

struct ImportPlan {
  std::vector<GroupPlan> groups;
  std::vector<DatasetPlan> datasets;
  std::vector<Hdf5SkippedObject> skipped;
  std::uint64_t total_bytes = 0;
};

std::string join(std::string_view prefix, std::string_view name) {
  if (prefix.empty()) return std::string(name);
  return std::string(prefix) + "/" + std::string(name);
}

std::string child_path(const std::string& parent, const std::string& name) {
  return parent == "/" ? "/" + name : parent + "/" + name;
}

class Planner {
 public:
  Planner(const std::string& file_name, ImportPlan& plan) : file_(file_name), plan_(plan) {}

  void group(hid_t group, const std::string& path, const std::string& key) {
    H5O_info_t info;
    check_status(H5Oget_info2(group, &info, H5O_INFO_BASIC), ErrorCode::Corrupt, what(path),
                 "H5Oget_info");
    if (!visited_.insert(info.addr).second) {
      plan_.skipped.push_back({path, "another link to a group already imported"});
      return;
    }
    plan_.groups.push_back({path, key, attributes(group, path)});
    for (const std::string& name : member_names(group, path)) {
      std::string member = child_path(path, name);
      hid_t raw = H5Oopen(group, name.c_str(), H5P_DEFAULT);
      if (raw < 0) {
        plan_.skipped.push_back({member, "link that cannot be followed: " + hdf5::last_h5_error()});
        continue;
      }
      H5Id object(raw, H5Oclose);
      switch (H5Iget_type(object.get())) {
        case H5I_GROUP:
          this->group(object.get(), member, join(key, name));
          break;
        case H5I_DATASET:
          dataset(object.get(), member, join(key, name));
          break;
        default:
          break;  // named datatypes hold no data
      }
    }
  }

 private:
  std::string what(const std::string& path) const { return file_ + ":" + path; }

  static herr_t add_name(hid_t, const char* name, const H5L_info_t*, void* data) {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  }
  static herr_t add_attribute_name(hid_t, const char* name, const H5A_info_t*, void* data) {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  }

  std::vector<std::string> member_names(hid_t group, const std::string& path) {
    std::vector<std::string> names;
    check_status(H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, nullptr, add_name, &names),
                 ErrorCode::Corrupt, what(path), "listing the group");
    return names;
  }

  nlohmann::json attributes(hid_t object, const std::string& path) {
    std::vector<std::string> names;
    check_status(
        H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, nullptr, add_attribute_name, &names),
        ErrorCode::Corrupt, what(path), "listing attributes");
    nlohmann::json out = nlohmann::json::object();
    for (const std::string& name : names) {
      std::string where = what(path) + " attribute " + name;
      H5Id attr(check_id(H5Aopen(object, name.c_str(), H5P_DEFAULT), ErrorCode::Corrupt, where,
                         "H5Aopen"),
                H5Aclose);
      std::string why;
      std::optional<nlohmann::json> value = hdf5::read_attribute(attr.get(), where, why);
      if (value) {
        out[name] = std::move(*value);
      } else {
        plan_.skipped.push_back({path + "@" + name, why});
      }
    }
    return out;
  }

  void dataset(hid_t dataset, const std::string& path, const std::string& key) {
    std::string where = what(path);
    H5Id type(check_id(H5Dget_type(dataset), ErrorCode::Corrupt, where, "H5Dget_type"), H5Tclose);
    std::string why;
    std::optional<DType> dtype = hdf5::dtype_of(type.get(), why);
    if (!dtype) {
      plan_.skipped.push_back({path, why});
      return;
    }
    H5Id space(check_id(H5Dget_space(dataset), ErrorCode::Corrupt, where, "H5Dget_space"),
               H5Sclose);
    if (H5Sget_simple_extent_type(space.get()) == H5S_NULL) {
      plan_.skipped.push_back({path, "null dataspace (no shape, no data)"});
      return;
    }
    DatasetPlan item{path, key, *dtype, Shape{}, {}, 0, nlohmann::json::object()};
    int rank = H5Sget_simple_extent_ndims(space.get());
    std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    std::vector<std::size_t> extents(dims.begin(), dims.end());
    item.shape = Shape(extents);
    H5Id dcpl(
        check_id(H5Dget_create_plist(dataset), ErrorCode::Corrupt, where, "H5Dget_create_plist"),
        H5Pclose);
    if (rank > 0 && H5Pget_layout(dcpl.get()) == H5D_CHUNKED) {
      std::vector<hsize_t> chunk(dims.size());
      H5Pget_chunk(dcpl.get(), rank, chunk.data());
      item.hdf5_chunks.assign(chunk.begin(), chunk.end());
    }
    H5D_fill_value_t defined;
    if (H5Pfill_value_defined(dcpl.get(), &defined) >= 0 && defined != H5D_FILL_VALUE_UNDEFINED) {
      std::vector<std::byte> fill(dtype->itemsize());
      if (H5Pget_fill_value(dcpl.get(), type.get(), fill.data()) >= 0) {
        item.fill_value = hdf5::fill_value_json(fill.data(), *dtype);
      }
    }
    item.attributes = attributes(dataset, path);
    plan_.total_bytes += item.shape.nbytes(dtype->itemsize());
    plan_.datasets.push_back(std::move(item));
  }

  std::string file_;
  ImportPlan& plan_;
  std::set<haddr_t> visited_;
};

// Reads slab after slab of `dataset` on this thread while the previous slab's chunks are encoded
// and put by `array.write` on others: at most two slabs are alive.
void stream_dataset(hid_t dataset, hid_t memtype, const DatasetPlan& item,
                    const ChunkedArray& array, std::uint64_t max_slab_bytes,
                    const std::function<void(std::uint64_t)>& slab_done, const std::string& what) {
  H5Id filespace(check_id(H5Dget_space(dataset), ErrorCode::Corrupt, what, "H5Dget_space"),
                 H5Sclose);
  std::future<void> pending;
  std::uint64_t pending_bytes = 0;
  auto finish_pending = [&] {
    if (!pending.valid()) return;
    pending.get();
    slab_done(pending_bytes);
  };
  for (const hdf5::Slab& slab : hdf5::plan_slabs(item.shape, array.metadata().chunks,
                                                 item.dtype.itemsize(), max_slab_bytes)) {
    auto buffer = std::make_shared<Array>(Array::uninitialized(item.dtype, Shape(slab.count)));
    H5Id memspace;
    if (!slab.start.empty()) {
      std::vector<hsize_t> start(slab.start.begin(), slab.start.end());
      std::vector<hsize_t> count(slab.count.begin(), slab.count.end());
      check_status(H5Sselect_hyperslab(filespace.get(), H5S_SELECT_SET, start.data(), nullptr,
                                       count.data(), nullptr),
                   ErrorCode::Corrupt, what, "selecting a hyperslab");
      memspace =
          H5Id(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose);
    }
    try {
      check_status(H5Dread(dataset, memtype, memspace ? memspace.get() : H5S_ALL,
                           memspace ? filespace.get() : H5S_ALL, H5P_DEFAULT, buffer->data()),
                   ErrorCode::Corrupt, what,
                   ("reading region " + format_region(slab.region())).c_str());
    } catch (...) {
      if (pending.valid()) pending.wait();
      throw;
    }
    finish_pending();
    pending = std::async(std::launch::async, [&array, buffer, region = slab.region()] {
      array.write(region, buffer->view());
    });
    pending_bytes = slab.nbytes;
  }
  finish_pending();
}

}  // namespace

Hdf5ImportReport import_hdf5(const std::filesystem::path& file, std::shared_ptr<ObjectStore> store,
                             std::string_view prefix, const Hdf5ImportOptions& options) {
  if (!store) throw Error(ErrorCode::InvalidArgument, "import_hdf5: null store");
  std::string file_name = file.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw Error(ErrorCode::NotFound, file_name + ": no such HDF5 file");
  }
  hdf5::H5Session session;
  if (H5Fis_hdf5(file_name.c_str()) <= 0) {
    throw Error(ErrorCode::Corrupt, file_name + ": not an HDF5 file");
  }
  H5Id h5file(check_id(H5Fopen(file_name.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), ErrorCode::Corrupt,
                       file_name, "H5Fopen"),
              H5Fclose);
  ImportPlan plan;
  {
    H5Id root(check_id(H5Gopen2(h5file.get(), "/", H5P_DEFAULT), ErrorCode::Corrupt, file_name,
                       "opening the root group"),
              H5Gclose);
    Planner(file_name, plan).group(root.get(), "/", std::string(prefix));
  }
  if (!plan.skipped.empty() && options.unsupported == Hdf5UnsupportedPolicy::Fail) {
    std::string list;
    for (const auto& skipped : plan.skipped) list += "\n  " + skipped.path + ": " + skipped.reason;
    throw Error(ErrorCode::Unsupported,
                file_name + ": objects Zarr cannot hold (import refused):" + list);
  }
  for (const auto& skipped : plan.skipped) {
    if (options.warning) {
      options.warning(file_name + ":" + skipped.path + " skipped: " + skipped.reason);
    }
  }

  Hdf5ImportReport report;
  report.skipped = plan.skipped;
  for (const GroupPlan& group : plan.groups) {
    create_zarr_group(*store, group.key, group.attributes);
    ++report.groups;
  }
  std::uint64_t done = 0;
  auto slab_done = [&](std::uint64_t bytes) {
    done += bytes;
    if (options.progress) options.progress(done, plan.total_bytes);
  };
  ArrayStore raw_arrays(store, options.codecs);
  for (const DatasetPlan& item : plan.datasets) {
    std::string what = file_name + ":" + item.path;
    H5Id dataset(check_id(H5Dopen2(h5file.get(), item.path.c_str(), H5P_DEFAULT),
                          ErrorCode::Corrupt, what, "H5Dopen2"),
                 H5Dclose);
    H5Id memtype(check_id(H5Dget_type(dataset.get()), ErrorCode::Corrupt, what, "H5Dget_type"),
                 H5Tclose);
    std::uint64_t nbytes = item.shape.nbytes(item.dtype.itemsize());
    if (nbytes < options.raw_array_threshold) {
      Array whole = Array::uninitialized(item.dtype, item.shape);
      if (nbytes > 0) {
        check_status(
            H5Dread(dataset.get(), memtype.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, whole.data()),
            ErrorCode::Corrupt, what, "reading the dataset");
      }
      raw_arrays.save(item.key, whole.view(),
                      {.compression = options.raw_array_compression, .metadata = {}});
      ++report.raw_arrays;
      report.bytes += nbytes;
      slab_done(nbytes);
      continue;
    }
    ChunkedCreateOptions create;
    if (options.keep_hdf5_chunks) create.chunks = item.hdf5_chunks;
    create.target_chunk_bytes = options.target_chunk_bytes;
    create.compressor = options.compressor;
    create.fill_value = item.fill_value;
    create.attributes = item.attributes;
    create.overwrite = options.overwrite;
    std::vector<std::size_t> chunks =
        create.chunks.empty()
            ? choose_chunk_shape(item.shape, item.dtype, options.target_chunk_bytes)
            : create.chunks;
    std::uint64_t chunk_bytes = item.dtype.itemsize();
    for (std::size_t extent : chunks) chunk_bytes *= extent;
    ChunkedIoOptions io{.transfer = {}, .codecs = options.codecs};
    io.transfer.concurrency =
        hdf5::workers_within(options.memory_budget, chunk_bytes, options.concurrency);
    std::uint64_t chunk_memory = 2 * io.transfer.concurrency * chunk_bytes;
    std::uint64_t max_slab_bytes =
        options.memory_budget > chunk_memory ? (options.memory_budget - chunk_memory) / 2 : 0;
    // Four chunks per worker keep every worker busy while the next slab is read; larger slabs
    // only cost memory.
    max_slab_bytes = std::min(max_slab_bytes, 4 * io.transfer.concurrency * chunk_bytes);
    ChunkedArray array = ChunkedArray::create(store, item.key, item.shape, item.dtype, create, io);
    stream_dataset(dataset.get(), memtype.get(), item, array, max_slab_bytes, slab_done, what);
    ++report.arrays;
    report.bytes += nbytes;
  }
  if (options.consolidate) consolidate_zarr_metadata(*store, std::string(prefix));
  return report;
}

}  // namespace ndbucket
