// Quickstart: save an array into a local directory store, list the store, load a slice back.
//
// The array is written in cottoncandy's raw layout (the bytes in C order plus dtype/shape
// metadata), so cottoncandy and ndbucket's array layer read it as an array. The slice is one row,
// fetched with a ranged read: only those bytes leave the store.
//
// usage: quickstart [STORE_DIR]   (default ./quickstart-store)
#include <bit>
#include <cstring>
#include <iostream>
#include <vector>

#include "ndbucket/core/error.hpp"
#include "ndbucket/store/open_store.hpp"

int main(int argc, char** argv) {
  const std::string location = argc > 1 ? argv[1] : "quickstart-store";
  try {
    auto store = ndbucket::open_store(location);
    std::cout << "opened store " << store->url() << "\n";

    // A 4 x 5 float64 array: element (i, j) = 10 * i + j.
    constexpr std::size_t kRows = 4, kCols = 5;
    std::vector<double> values(kRows * kCols);
    for (std::size_t i = 0; i < kRows; ++i) {
      for (std::size_t j = 0; j < kCols; ++j) values[i * kCols + j] = 10.0 * i + j;
    }
    ndbucket::ByteSpan bytes(reinterpret_cast<const std::byte*>(values.data()),
                             values.size() * sizeof(double));
    ndbucket::PutOptions options;
    // numpy's typestr names the byte order the bytes are in: this machine's.
    const char* dtype = std::endian::native == std::endian::little ? "<f8" : ">f8";
    options.metadata = {
        {"dtype", dtype}, {"shape", "4,5"}, {"compression", "False"}, {"order", "C"}};
    ndbucket::ObjectInfo saved = store->put("experiments/run1/weights", bytes, options);
    std::cout << "saved a 4x5 " << dtype << " array as " << store->describe(saved.key) << " ("
              << saved.size << " bytes)\n";
    store->put("experiments/run1/notes.txt", ndbucket::as_bytes("learning rate 0.01\n"));

    std::cout << "listing " << store->url() << ":\n";
    for (const ndbucket::ObjectInfo& info : store->list("").objects) {
      std::cout << "  " << info.key << "  " << info.size << " bytes\n";
    }

    // Row 2 of the array, read with a byte range: 5 doubles starting at element (2, 0).
    auto info = store->head("experiments/run1/weights");
    std::cout << "metadata: dtype=" << info->metadata.at("dtype")
              << " shape=" << info->metadata.at("shape") << "\n";
    constexpr std::size_t kRow = 2;
    auto row = store->get(
        "experiments/run1/weights",
        ndbucket::ByteRange::span(kRow * kCols * sizeof(double), kCols * sizeof(double)));
    std::vector<double> slice(kCols);
    std::memcpy(slice.data(), row.body.data(), row.body.size());
    std::cout << "loaded slice [2, :] (" << row.body.size() << " of " << row.info.size
              << " bytes):";
    for (double v : slice) std::cout << " " << v;
    std::cout << "\n";
    return 0;
  } catch (const ndbucket::Error& error) {
    std::cerr << "quickstart failed: " << error.what() << "\n";
    return 1;
  }
}
