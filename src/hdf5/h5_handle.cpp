#include "hdf5/h5_handle.hpp"

namespace ndbucket::hdf5 {

namespace {

// libhdf5 (serial build) keeps global state without locks; this mutex is the one piece of
// process-wide state ndbucket has, and exists only to keep two imports from corrupting it.
std::mutex& h5_mutex() {
  static std::mutex mutex;
  return mutex;
}

herr_t innermost(unsigned n, const H5E_error2_t* error, void* data) {
  auto* text = static_cast<std::string*>(data);
  if (n == 0 && error->desc) {
    *text = error->desc;
    if (error->func_name) *text = std::string(error->func_name) + ": " + *text;
  }
  return 0;
}

}  // namespace

std::string last_h5_error() {
  std::string text;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, &text);
  return text;
}

void throw_h5(ErrorCode code, const std::string& what, const std::string& action) {
  std::string detail = last_h5_error();
  throw Error(code, what + ": " + action + " failed" + (detail.empty() ? "" : ": " + detail));
}

H5Session::H5Session() : lock_(h5_mutex()) {
  H5Eget_auto2(H5E_DEFAULT, &saved_func_, &saved_data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

H5Session::~H5Session() { H5Eset_auto2(H5E_DEFAULT, saved_func_, saved_data_); }

}  // namespace ndbucket::hdf5
