#include "store/s3/credentials.hpp"

#include <cstdlib>
#include <fstream>
#include <map>

#include "ndbucket/core/error.hpp"

namespace ndbucket::s3 {

namespace {

using Section = std::map<std::string, std::string>;

std::string trim(std::string_view text) {
  const char* space = " \t\r\n";
  std::size_t begin = text.find_first_not_of(space);
  if (begin == std::string_view::npos) return "";
  std::size_t end = text.find_last_not_of(space);
  return std::string(text.substr(begin, end - begin + 1));
}

// Reads one section of an AWS shared file (INI). nullopt when the file or section is missing.
std::optional<Section> read_ini_section(const std::string& path, const std::string& wanted) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::optional<Section> found;
  bool inside = false;
  std::string line;
  while (std::getline(in, line)) {
    std::string text = trim(line);
    if (text.empty() || text[0] == '#' || text[0] == ';') continue;
    if (text.front() == '[' && text.back() == ']') {
      inside = trim(std::string_view(text).substr(1, text.size() - 2)) == wanted;
      if (inside && !found) found.emplace();
      continue;
    }
    if (!inside) continue;
    std::size_t eq = text.find('=');
    if (eq == std::string::npos) continue;  // nested settings ("s3 =" blocks) are not ours
    (*found)[trim(std::string_view(text).substr(0, eq))] =
        trim(std::string_view(text).substr(eq + 1));
  }
  return found;
}

std::optional<Credentials> credentials_in(const Section& section) {
  auto id = section.find("aws_access_key_id");
  auto secret = section.find("aws_secret_access_key");
  if (id == section.end() || secret == section.end() || id->second.empty()) return std::nullopt;
  Credentials credentials{id->second, secret->second, ""};
  if (auto token = section.find("aws_session_token"); token != section.end()) {
    credentials.session_token = token->second;
  }
  return credentials;
}

std::string home(const EnvLookup& env) { return env("HOME").value_or(""); }

std::string non_empty_env(const EnvLookup& env, std::string_view name) {
  auto value = env(name);
  return value ? *value : "";
}

}  // namespace

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

ResolvedSettings resolve_settings(const S3Config& config, const EnvLookup& env) {
  ResolvedSettings settings;
  std::string profile =
      !config.profile.empty() ? config.profile : non_empty_env(env, "AWS_PROFILE");
  if (profile.empty()) profile = "default";
  std::string credentials_file = non_empty_env(env, "AWS_SHARED_CREDENTIALS_FILE");
  if (credentials_file.empty()) credentials_file = home(env) + "/.aws/credentials";
  std::string config_file = non_empty_env(env, "AWS_CONFIG_FILE");
  if (config_file.empty()) config_file = home(env) + "/.aws/config";
  // The config file names non-default profiles "[profile NAME]".
  std::optional<Section> config_section =
      read_ini_section(config_file, profile == "default" ? "default" : "profile " + profile);

  if (!config.anonymous) {
    std::string id_env = non_empty_env(env, "AWS_ACCESS_KEY_ID");
    std::string secret_env = non_empty_env(env, "AWS_SECRET_ACCESS_KEY");
    if (!config.access_key_id.empty()) {
      settings.credentials =
          Credentials{config.access_key_id, config.secret_access_key, config.session_token};
      settings.credentials_source = "config";
    } else if (!id_env.empty() && !secret_env.empty()) {
      settings.credentials =
          Credentials{id_env, secret_env, non_empty_env(env, "AWS_SESSION_TOKEN")};
      settings.credentials_source = "environment (AWS_ACCESS_KEY_ID)";
    } else if (auto section = read_ini_section(credentials_file, profile);
               section && credentials_in(*section)) {
      settings.credentials = credentials_in(*section);
      settings.credentials_source = "profile '" + profile + "' in " + credentials_file;
    } else if (config_section && credentials_in(*config_section)) {
      settings.credentials = credentials_in(*config_section);
      settings.credentials_source = "profile '" + profile + "' in " + config_file;
    } else {
      // cottoncandy's default: the first line of ~/.passwd-s3fs, "ACCESS:SECRET" (s3fs also
      // allows "BUCKET:ACCESS:SECRET").
      std::ifstream passwd(home(env) + "/.passwd-s3fs");
      std::string line;
      if (passwd && std::getline(passwd, line)) {
        line = trim(line);
        std::size_t last = line.rfind(':');
        std::size_t first = last == std::string::npos ? last : line.rfind(':', last - 1);
        if (last != std::string::npos) {
          std::size_t id_begin = first == std::string::npos ? 0 : first + 1;
          settings.credentials =
              Credentials{line.substr(id_begin, last - id_begin), line.substr(last + 1), ""};
          settings.credentials_source = home(env) + "/.passwd-s3fs";
        }
      }
      std::string old_id = non_empty_env(env, "AWS_ACCESS_KEY");
      std::string old_secret = non_empty_env(env, "AWS_SECRET_KEY");
      if (!settings.credentials && !old_id.empty() && !old_secret.empty()) {
        settings.credentials = Credentials{old_id, old_secret, ""};
        settings.credentials_source = "environment (AWS_ACCESS_KEY)";
      }
    }
    if (!settings.credentials) {
      throw Error(ErrorCode::PermissionDenied,
                  "no S3 credentials for s3://" + config.bucket +
                      ": looked in the config, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profile '" +
                      profile + "' in " + credentials_file + " and " + config_file + ", " +
                      home(env) +
                      "/.passwd-s3fs and AWS_ACCESS_KEY/AWS_SECRET_KEY (ask for anonymous "
                      "access explicitly if the bucket is public)");
    }
  }

  settings.region = config.region;
  if (settings.region.empty()) settings.region = non_empty_env(env, "AWS_REGION");
  if (settings.region.empty()) settings.region = non_empty_env(env, "AWS_DEFAULT_REGION");
  if (settings.region.empty() && config_section) {
    if (auto region = config_section->find("region"); region != config_section->end()) {
      settings.region = region->second;
    }
  }
  if (settings.region.empty()) settings.region = "us-east-1";

  settings.endpoint = config.endpoint;
  if (settings.endpoint.empty()) settings.endpoint = non_empty_env(env, "AWS_ENDPOINT_URL_S3");
  if (settings.endpoint.empty()) settings.endpoint = non_empty_env(env, "AWS_ENDPOINT_URL");
  if (settings.endpoint.empty()) {
    settings.endpoint = "https://s3." + settings.region + ".amazonaws.com";
  }
  while (settings.endpoint.ends_with('/')) settings.endpoint.pop_back();
  if (!settings.endpoint.starts_with("http://") && !settings.endpoint.starts_with("https://")) {
    throw Error(ErrorCode::InvalidArgument,
                "S3 endpoint '" + settings.endpoint + "' must start with http:// or https://");
  }
  return settings;
}

}  // namespace ndbucket::s3
