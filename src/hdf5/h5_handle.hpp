// Internal: RAII ownership of libhdf5 identifiers, libhdf5's error text, and the process-wide
// lock every HDF5 call runs under (Debian's serial libhdf5 is not thread-safe).
#pragma once

#include <hdf5.h>

#include <mutex>
#include <string>
#include <utility>

#include "ndbucket/core/error.hpp"

namespace ndbucket::hdf5 {

// Owns one hid_t and closes it with the H5*close function of its kind.
class H5Id {
 public:
  using Closer = herr_t (*)(hid_t);
  H5Id() = default;
  H5Id(hid_t id, Closer close) : id_(id), close_(close) {}
  H5Id(H5Id&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), close_(other.close_) {}
  H5Id& operator=(H5Id&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      close_ = other.close_;
    }
    return *this;
  }
  H5Id(const H5Id&) = delete;
  H5Id& operator=(const H5Id&) = delete;
  ~H5Id() { reset(); }

  hid_t get() const noexcept { return id_; }
  explicit operator bool() const noexcept { return id_ >= 0; }
  // Gives up ownership (the caller closes it).
  hid_t release() noexcept { return std::exchange(id_, H5I_INVALID_HID); }
  void reset() noexcept {
    if (id_ >= 0 && close_) close_(id_);
    id_ = H5I_INVALID_HID;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer close_ = nullptr;
};

// The innermost message of libhdf5's current error stack ("" when empty).
std::string last_h5_error();

// Throws Error(code, what + ": " + action + " failed: " + libhdf5's message).
[[noreturn]] void throw_h5(ErrorCode code, const std::string& what, const std::string& action);

// Checks an identifier or status returned by libhdf5 (negative = failure).
inline hid_t check_id(hid_t id, ErrorCode code, const std::string& what, const char* action) {
  if (id < 0) throw_h5(code, what, action);
  return id;
}
inline void check_status(herr_t status, ErrorCode code, const std::string& what,
                         const char* action) {
  if (status < 0) throw_h5(code, what, action);
}

// Held for a whole import or export: serialises libhdf5 use in this process and silences
// libhdf5's own printing of error stacks (restored on destruction); errors are reported through
// exceptions carrying last_h5_error() instead.
class H5Session {
 public:
  H5Session();
  ~H5Session();
  H5Session(const H5Session&) = delete;
  H5Session& operator=(const H5Session&) = delete;

 private:
  std::unique_lock<std::mutex> lock_;
  H5E_auto2_t saved_func_ = nullptr;
  void* saved_data_ = nullptr;
};

}  // namespace ndbucket::hdf5
