// Where S3Store finds credentials, region and endpoint: the config, the environment, the AWS
// shared files and cottoncandy's ~/.passwd-s3fs, in the order S3Config documents.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "ndbucket/store/s3_store.hpp"
#include "store/s3/sigv4.hpp"

namespace ndbucket::s3 {

// Looks up an environment variable; injectable so tests need not touch the process environment.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment (std::getenv).
EnvLookup process_environment();

struct ResolvedSettings {
  std::optional<Credentials> credentials;  // nullopt only for anonymous stores
  std::string credentials_source;          // "config", "environment", "profile default" ...
  std::string region;
  std::string endpoint;  // scheme://host[:port], no trailing '/'
};

// Applies the lookup order. Errors: PermissionDenied when no credentials are found and the
// config is not anonymous (the message lists the places searched, never a secret);
// InvalidArgument for a malformed shared file line or endpoint.
ResolvedSettings resolve_settings(const S3Config& config, const EnvLookup& env);

}  // namespace ndbucket::s3
