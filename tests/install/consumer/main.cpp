// Uses the installed headers and library the way a downstream project would.
#include <iostream>

#include "ndbucket/core/error.hpp"
#include "ndbucket/store/key.hpp"

int main() {
  try {
    ndbucket::validate_key("../escape", "mem://consumer");
    return 1;
  } catch (const ndbucket::Error& error) {
    if (error.code() != ndbucket::ErrorCode::InvalidArgument) return 1;
  }
  std::cout << "consumer ok: hello from the installed ndbucket\n";
  return 0;
}
