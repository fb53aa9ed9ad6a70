// ObjectWriter on every backend: pieces of any size (multipart on RGW past its 16 MiB threshold),
// progress, and that an unclosed, cancelled or failing writer leaves the previous object alone.
#include "ndbucket/transfer/object_writer.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "support/test_util.hpp"
#include "transfer/transfer_test_support.hpp"

namespace ndbucket::testing {
namespace {

class ObjectWriterTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { store_ = GetParam().make(); }
  std::shared_ptr<ObjectStore> store_;
};

TEST_P(ObjectWriterTest, WritesPiecesAndReportsProgress) {
  Bytes body = random_bytes((20u << 20) + 5, 20);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
  WriterOptions options;
  options.put = {{{"dtype", "<f4"}}, "application/x-test"};
  options.expected_size = body.size();
  options.progress = [&](std::uint64_t done, std::uint64_t total) {
    calls.emplace_back(done, total);
  };
  ObjectWriter writer(store_, "written/big.bin", options);
  for (std::size_t offset = 0; offset < body.size();) {
    std::size_t piece = std::min<std::size_t>(body.size() - offset, (offset / 7) % (3u << 20) + 1);
    writer.write(ByteSpan(body).subspan(offset, piece));
    offset += piece;
    EXPECT_EQ(writer.tell(), offset);
  }
  EXPECT_FALSE(store_->exists("written/big.bin")) << "visible before close";
  ObjectInfo info = writer.close();
  EXPECT_EQ(info.size, body.size());
  EXPECT_EQ(info.key, "written/big.bin");
  GetResult read = store_->get("written/big.bin");
  EXPECT_TRUE(read.body == body);
  EXPECT_EQ(read.info.metadata.at("dtype"), "<f4");
  EXPECT_EQ(read.info.content_type, "application/x-test");
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.back().first, body.size());
  EXPECT_EQ(calls.back().second, body.size());
  for (std::size_t i = 1; i < calls.size(); ++i) EXPECT_LT(calls[i - 1].first, calls[i].first);
}

TEST_P(ObjectWriterTest, AnUnclosedWriterLeavesThePreviousObject) {
  store_->put("kept", as_bytes("previous"));
  Bytes body = random_bytes(18u << 20, 18);  // past S3Store's multipart threshold
  {
    ObjectWriter writer(store_, "kept");
    writer.write(body);
    ObjectWriter fresh(store_, "never");
    fresh.write(as_bytes("x"));
  }
  EXPECT_EQ(as_string_view(store_->get("kept").body), "previous");
  EXPECT_FALSE(store_->exists("never"));
  ObjectWriter aborted(store_, "kept");
  aborted.write(as_bytes("y"));
  aborted.abort();
  EXPECT_EQ(error_code_of([&] { aborted.close(); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(as_string_view(store_->get("kept").body), "previous");
}

TEST_P(ObjectWriterTest, CancellingAbortsTheUpload) {
  store_->put("target", as_bytes("previous"));
  WriterOptions options;
  int writes = 0;
  options.progress = [&](std::uint64_t, std::uint64_t) {
    if (++writes == 3) options.cancel.cancel();
  };
  CancellationToken token = options.cancel;
  ObjectWriter writer(store_, "target", options);
  ErrorCode code = error_code_of([&] {
    for (int i = 0; i < 10; ++i) writer.write(as_bytes("piece"));
  });
  EXPECT_EQ(code, ErrorCode::Unavailable);
  EXPECT_TRUE(token.cancelled());
  EXPECT_EQ(writes, 3);
  EXPECT_EQ(error_code_of([&] { writer.close(); }), ErrorCode::Unavailable);
  EXPECT_EQ(as_string_view(store_->get("target").body), "previous");
}

// A stream buffer whose source fails after `good` bytes, as a broken pipe or disk would.
class FailingBuffer : public std::streambuf {
 public:
  explicit FailingBuffer(std::size_t good) : left_(good) {}

 protected:
  int_type underflow() override {
    if (left_ == 0) throw std::runtime_error("input device failed");
    --left_;
    byte_ = 'a';
    setg(&byte_, &byte_, &byte_ + 1);
    return traits_type::to_int_type(byte_);
  }

 private:
  std::size_t left_;
  char byte_ = 0;
};

TEST_P(ObjectWriterTest, UploadStreamReadsAnIstreamPieceByPiece) {
  Bytes body = random_bytes((3u << 20) + 17, 3);
  std::istringstream in(std::string(as_string_view(body)));
  ObjectInfo info = upload_stream(in, store_, "streamed", {}, 64 * 1024);
  EXPECT_EQ(info.size, body.size());
  EXPECT_TRUE(store_->get("streamed").body == body);

  std::istringstream empty;
  EXPECT_EQ(upload_stream(empty, store_, "empty").size, 0u);
  EXPECT_TRUE(store_->get("empty").body.empty());

  FailingBuffer failing(5000);
  std::istream broken(&failing);
  EXPECT_EQ(error_code_of([&] { upload_stream(broken, store_, "broken", {}, 1024); }),
            ErrorCode::Io);
  EXPECT_FALSE(store_->exists("broken"));
}

INSTANTIATE_TEST_SUITE_P(Stores, ObjectWriterTest, ::testing::ValuesIn(transfer_backends()),
                         backend_name);

}  // namespace
}  // namespace ndbucket::testing
