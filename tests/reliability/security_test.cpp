// Security properties: FileStore stays inside its root, credentials never leak into logs, errors
// or CLI output, and TLS certificates are verified by default.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "ndbucket/core/error.hpp"
#include "ndbucket/store/file_store.hpp"
#include "ndbucket/store/open_store.hpp"
#include "reliability/proxy_fixture.hpp"
#include "support/test_util.hpp"

namespace ndbucket::testing {
namespace {

namespace fs = std::filesystem;

// ---- FileStore never reads or writes outside its root ----

TEST(FileStoreSecurity, RefusesEveryTraversalKeyInEveryOperation) {
  fs::path base = fresh_test_dir("rel-traversal");
  fs::create_directories(base / "root" / "sub");
  write_file(base / "victim", as_bytes(std::string("untouched")));
  FileStore store(base / "root");
  store.put("sub/ok", as_bytes(std::string("inside")));
  for (const std::string& key :
       std::vector<std::string>{"../victim", "sub/../../victim", "/etc/passwd", "..", "sub/..",
                                "./x", "sub//x", "sub/./x", std::string("a\0b", 3)}) {
    SCOPED_TRACE(key);
    Bytes into(9);
    auto refused = [](ErrorCode code) {
      return code == ErrorCode::InvalidArgument || code == ErrorCode::PermissionDenied ||
             code == ErrorCode::NotFound;
    };
    EXPECT_TRUE(refused(error_code_of([&] { store.get(key); })));
    EXPECT_TRUE(refused(error_code_of([&] { store.get_into(key, into); })));
    EXPECT_TRUE(refused(error_code_of([&] { store.head(key); })));
    EXPECT_TRUE(refused(error_code_of([&] { store.put(key, as_bytes(std::string("evil"))); })));
    EXPECT_TRUE(refused(error_code_of([&] { store.remove(key); })));
    EXPECT_TRUE(refused(error_code_of([&] { store.copy("sub/ok", key); })));
    EXPECT_TRUE(refused(error_code_of([&] { store.copy(key, "sub/copy"); })));
  }
  EXPECT_EQ(read_file(base / "victim"), to_bytes("untouched"));
  std::vector<std::string> entries;
  for (const auto& entry : fs::directory_iterator(base)) entries.push_back(entry.path().filename());
  std::sort(entries.begin(), entries.end());
  EXPECT_EQ(entries, (std::vector<std::string>{"root", "victim"}));
  EXPECT_TRUE(store.list("../").objects.empty());
}

TEST(FileStoreSecurity, SymlinksLeadingOutAreRefusedAtAnyDepth) {
  fs::path base = fresh_test_dir("rel-symlink");
  fs::create_directories(base / "root" / "a" / "b");
  fs::create_directories(base / "outside");
  write_file(base / "outside" / "secret", as_bytes(std::string("secret")));
  fs::create_directory_symlink(base / "outside", base / "root" / "a" / "b" / "out");
  fs::create_directory_symlink("../../outside", base / "root" / "a" / "rel");
  FileStore store(base / "root");
  for (std::string key : {"a/b/out/secret", "a/rel/secret", "a/b/out/new", "a/rel/new"}) {
    SCOPED_TRACE(key);
    EXPECT_EQ(error_code_of([&] { store.get(key); }), ErrorCode::PermissionDenied);
    EXPECT_EQ(error_code_of([&] { store.put(key, as_bytes(std::string("x"))); }),
              ErrorCode::PermissionDenied);
    EXPECT_EQ(error_code_of([&] { store.remove(key); }), ErrorCode::PermissionDenied);
  }
  store.put("a/file", as_bytes(std::string("x")));
  EXPECT_EQ(error_code_of([&] { store.copy("a/file", "a/rel/planted"); }),
            ErrorCode::PermissionDenied);
  EXPECT_FALSE(fs::exists(base / "outside" / "new"));
  EXPECT_FALSE(fs::exists(base / "outside" / "planted"));
  // Through open_store's URL form too.
  auto opened = open_store("file://" + (base / "root").string());
  EXPECT_EQ(error_code_of([&] { opened->get("a/rel/secret"); }), ErrorCode::PermissionDenied);
  EXPECT_TRUE(error_code_of([&] { opened->get("../outside/secret"); }) ==
              ErrorCode::InvalidArgument);
}

// ---- Credentials never appear in logs, errors or CLI output ----

const std::string kSecret = "SeCrEtReliabilityKey-7f3a9c";
const std::string kToken = "SeSsIoNtOkEnReliability-5e1d2b";

// Every string that would reveal a credential or a signature.
void expect_no_secrets(const std::string& text, const std::vector<std::string>& more = {}) {
  std::vector<std::string> needles = {kSecret,
                                      kToken,
                                      "Authorization",
                                      "authorization:",
                                      "Signature=",
                                      "X-Amz-Signature",
                                      "x-amz-security-token"};
  needles.insert(needles.end(), more.begin(), more.end());
  for (const std::string& needle : needles) {
    EXPECT_EQ(text.find(needle), std::string::npos) << "'" << needle << "' in:\n" << text;
  }
}

// Runs `action`, returning its exception message (if any), everything logged and stderr.
template <typename F>
std::string output_of(F&& action, std::vector<std::string>& log) {
  ::testing::internal::CaptureStderr();
  std::string error;
  try {
    action();
  } catch (const std::exception& e) {
    error = e.what();
  }
  std::string out = error + "\n" + ::testing::internal::GetCapturedStderr();
  for (const std::string& line : log) out += line + "\n";
  return out;
}

TEST(CredentialSecurity, NothingSecretIsLoggedOrThrownByS3Store) {
  ::setenv("NDBUCKET_LOG", "debug", 1);
  TestServer rgw = test_server("rgw");
  FaultProxyOptions options;
  options.fault_probability = 0.3;
  auto proxy = make_rgw_proxy(options);
  auto real = make_proxied_store(*proxy, "rel-secret");
  std::string all;

  // Succeeding operations (with the server's real secret) through faults, retried and logged.
  {
    std::vector<std::string> log;
    S3Config config = real->config();
    config.log = [&log](const std::string& line) { log.push_back(line); };
    S3Store store(config);
    std::string out = output_of(
        [&] {
          for (int i = 0; i < 20; ++i) {
            store.put("k" + std::to_string(i), as_bytes(std::string("v")));
            store.get("k" + std::to_string(i));
            store.list("");
          }
          store.presign_get("k0", std::chrono::seconds(60));
          store.get("missing");
        },
        log);
    EXPECT_FALSE(log.empty()) << "no retry was logged";
    expect_no_secrets(out, {rgw.secret_key});
    all += out;
  }
  // Failing operations: a wrong secret key with a session token, and an unreachable endpoint,
  // logged to stderr by NDBUCKET_LOG=debug (no log callback).
  for (std::string endpoint : {proxy->endpoint(), std::string("http://127.0.0.1:9")}) {
    std::vector<std::string> log;
    S3Config config = real->config();
    config.endpoint = endpoint;
    config.secret_access_key = kSecret;
    config.session_token = kToken;
    config.retry.max_attempts = 3;
    S3Store store(config);
    for (auto action : std::vector<std::function<void()>>{
             [&] { store.get("k0"); }, [&] { store.put("x", as_bytes(std::string("v"))); },
             [&] { store.list(""); }, [&] { store.head("k0"); }, [&] { store.remove("k0"); },
             [&] { store.copy("k0", "k1"); }, [&] { store.create_bucket(); }}) {
      std::string out = output_of(action, log);
      expect_no_secrets(out);
      all += out;
    }
  }
  // Credentials given in an s3:// URL.
  {
    std::vector<std::string> log;
    std::string url = "s3://" + rgw.access_key + ":" + kSecret + "@" + real->config().bucket +
                      "/p?endpoint=" + proxy->endpoint();
    std::string out = output_of(
        [&] {
          auto store = open_store(url);
          store->get("k0");
        },
        log);
    expect_no_secrets(out);
    out = output_of([&] { open_store(url + "&bogus=1"); }, log);
    expect_no_secrets(out);
    all += out;
  }
  ::unsetenv("NDBUCKET_LOG");
  EXPECT_NE(all.find("SignatureDoesNotMatch"), std::string::npos) << all;
  EXPECT_NE(all.find("retrying"), std::string::npos) << all;
}

#ifdef NDBUCKET_CLI
// Runs the CLI with `env` prepended, returning stdout and stderr together.
std::string run_cli(const std::string& env, const std::string& arguments) {
  std::string command = env + " " + NDBUCKET_CLI + " " + arguments + " 2>&1";
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return "popen failed";
  std::array<char, 4096> buffer;
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe))
    out.append(buffer.data(), n);
  ::pclose(pipe);
  return out;
}

TEST(CredentialSecurity, NothingSecretIsPrintedByTheCli) {
  TestServer rgw = test_server("rgw");
  auto proxy = make_rgw_proxy();
  auto store = make_proxied_store(*proxy, "rel-cli");
  store->put("obj", as_bytes(std::string("hello")));
  std::string bucket = "s3://" + store->config().bucket;
  std::string query = "?endpoint=" + proxy->endpoint() + "&addressing=path&region=us-east-1";
  fs::path local = fresh_test_dir("rel-cli") / "local";
  write_file(local, as_bytes(std::string("data")));
  std::string good = "NDBUCKET_LOG=debug AWS_ACCESS_KEY_ID=" + rgw.access_key +
                     " AWS_SECRET_ACCESS_KEY=" + rgw.secret_key;
  std::string bad = "NDBUCKET_LOG=debug AWS_ACCESS_KEY_ID=" + rgw.access_key +
                    " AWS_SECRET_ACCESS_KEY=" + kSecret + " AWS_SESSION_TOKEN=" + kToken;
  std::string all;
  for (const std::string& arguments :
       {"ls '" + bucket + "/" + query + "'", "cat '" + bucket + "/obj" + query + "'",
        "put " + local.string() + " '" + bucket + "/up" + query + "'",
        "cat '" + bucket + "/missing" + query + "'"}) {
    std::string out = run_cli(good, arguments);
    expect_no_secrets(out, {rgw.secret_key});
    all += out;
    out = run_cli(bad, arguments);
    expect_no_secrets(out);
    all += out;
  }
  std::string in_url =
      "s3://" + rgw.access_key + ":" + kSecret + "@" + store->config().bucket + "/obj" + query;
  for (const std::string& arguments :
       {"cat '" + in_url + "'", "ls '" + in_url + "'", "cat '" + in_url + "&bogus=1'"}) {
    std::string out = run_cli("NDBUCKET_LOG=debug", arguments);
    expect_no_secrets(out);
    all += out;
  }
  EXPECT_NE(all.find("hello"), std::string::npos) << all;  // the succeeding cat printed the object
  EXPECT_NE(all.find("SignatureDoesNotMatch"), std::string::npos) << all;
}
#endif

// ---- TLS certificates are verified unless turned off ----

class LocalHttpsServer {
 public:
  explicit LocalHttpsServer(const fs::path& dir) {
    cert_ = dir / "cert.pem";
    std::string make =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1"
        " -addext subjectAltName=IP:127.0.0.1 -keyout " +
        (dir / "key.pem").string() + " -out " + cert_.string() + " 2>/dev/null";
    if (std::system(make.c_str()) != 0) throw std::runtime_error("openssl req failed");
    fs::path out = dir / "server.out";
    pid_ = ::fork();
    if (pid_ == 0) {
      std::freopen(out.c_str(), "w", stdout);
      std::freopen("/dev/null", "w", stderr);
      // -www answers every GET with a status page; bounded in connections and (by the test) time.
      ::execlp("openssl", "openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", cert_.c_str(),
               "-key", (dir / "key.pem").c_str(), "-www", "-naccept", "20", nullptr);
      ::_exit(127);
    }
    for (int i = 0; i < 100 && port_ == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      std::ifstream in(out);
      std::string word, address;
      while (in >> word) {
        if (word == "ACCEPT" && in >> address)
          port_ = std::stoi(address.substr(address.rfind(':') + 1));
      }
    }
    if (port_ == 0) throw std::runtime_error("openssl s_server did not start");
  }
  ~LocalHttpsServer() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  std::string endpoint() const { return "https://127.0.0.1:" + std::to_string(port_); }
  const fs::path& certificate() const { return cert_; }

 private:
  fs::path cert_;
  pid_t pid_ = -1;
  int port_ = 0;
};

TEST(TlsSecurity, VerificationIsOnByDefaultAndAcceptsAGivenCa) {
  LocalHttpsServer server(fresh_test_dir("rel-tls"));
  S3Config config;
  config.bucket = "b";
  config.endpoint = server.endpoint();
  config.region = "us-east-1";
  config.access_key_id = "AKIDTLS";
  config.secret_access_key = kSecret;
  config.retry.max_attempts = 1;
  EXPECT_TRUE(config.verify_tls);
  {
    S3Store store(config);
    try {
      store.get("k");
      ADD_FAILURE() << "a self-signed certificate was accepted without its CA";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::Unavailable);
      EXPECT_NE(std::string(error.what()).find("certificate"), std::string::npos) << error.what();
    }
  }
  {
    config.ca_bundle = server.certificate().string();
    S3Store store(config);
    // s_server -www answers a GET with a status page: the TLS handshake passed.
    EXPECT_FALSE(store.get("k").body.empty());
  }
  {
    config.ca_bundle.clear();
    config.verify_tls = false;
    S3Store store(config);
    EXPECT_FALSE(store.get("k").body.empty());
  }
}

}  // namespace
}  // namespace ndbucket::testing
