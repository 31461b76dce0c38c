// The recording file: what the writer puts in comes back out of the reader,
// and every kind of damaged file is one line, never a crash, with the good
// entries before the damage still given.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cstring>
#include <vector>

#include "agent/events/event_recording.h"
#include "agent/events/recording_reader.h"
#include "agent/events/recording_writer.h"
#include "agent/events/resource_codec.h"
#include "tests/testing/event_generator.h"
#include "tests/unit/events/recording_test_support.h"

namespace zerotrace {
namespace {

using testing::EventGenerator;
using testing::Get;
using testing::Ok;
using testing::ReadBytes;
using testing::TempPath;
using testing::WriteBytes;

constexpr uint64_t kNoLimit = 1ull << 40;

RecordingInfo Info() {
  return RecordingInfo{.monotonic_to_unix_offset_ns = 1'700'000'000'000'000'000,
                       .start_monotonic_ns = 5'000,
                       .recorder_pid = 77,
                       .host_name = "node-a",
                       .agent_version = "9.9.9"};
}

Resource ServerResource() {
  Resource r;
  r.pid = 4242;
  r.service_name = "checkout";
  r.attributes = {{"service.name", std::string("checkout")},
                  {"process.pid", int64_t{4242}},
                  {"flag", true},
                  {"ratio", 0.25}};
  return r;
}

// Writes a request, the server's resource, a clock change and a response.
std::vector<std::vector<uint8_t>> WriteSample(const std::string& path) {
  EventGenerator server(ZT_ROLE_SERVER, 4242);
  std::vector<std::vector<uint8_t>> records = {server.In(Get("/a"), 1000, 2000).record,
                                               server.Out(Ok("body!"), 3000, 4000).record};
  std::string error;
  auto writer = RecordingWriter::Create(path, Info(), kNoLimit, &error);
  EXPECT_TRUE(writer) << error;
  EXPECT_TRUE(writer->AppendProcessResource(10'000, ServerResource()));
  EXPECT_TRUE(writer->AppendEvent(10'000, records[0]));
  EXPECT_TRUE(writer->AppendClockOffset(15'000, 42));
  EXPECT_TRUE(writer->AppendEvent(20'000, records[1]));
  writer->Finish(30'000);
  EXPECT_EQ(writer->state(), RecordingWriter::State::kFinished);
  EXPECT_EQ(writer->events(), 2u);
  EXPECT_FALSE(writer->AppendEvent(40'000, records[0])) << "appended after Finish";
  return records;
}

std::vector<RecordingEntry> ReadAll(RecordingReader& reader) {
  std::vector<RecordingEntry> entries;
  RecordingEntry entry;
  while (reader.Next(&entry)) entries.push_back(entry);
  return entries;
}

TEST(RecordingFile, WhatIsWrittenReadsBackInOrderWithItsTimes) {
  TempPath path;
  auto records = WriteSample(path.str());
  std::string error;
  auto reader = RecordingReader::Open(path.str(), &error);
  ASSERT_TRUE(reader) << error;
  EXPECT_EQ(reader->info().host_name, "node-a");
  EXPECT_EQ(reader->info().agent_version, "9.9.9");
  EXPECT_EQ(reader->info().recorder_pid, 77u);
  EXPECT_EQ(reader->info().start_monotonic_ns, 5'000u);
  EXPECT_EQ(reader->info().monotonic_to_unix_offset_ns, 1'700'000'000'000'000'000);

  auto entries = ReadAll(*reader);
  EXPECT_TRUE(reader->ended_cleanly());
  EXPECT_EQ(reader->problem(), "");
  EXPECT_EQ(reader->end_monotonic_ns(), 30'000u);
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].kind, RecordingEntryKind::kProcessResource);
  EXPECT_EQ(entries[1].kind, RecordingEntryKind::kEvent);
  EXPECT_EQ(entries[1].receive_monotonic_ns, 10'000u);
  EXPECT_EQ(std::vector<uint8_t>(entries[1].payload.begin(), entries[1].payload.end()), records[0]);
  EXPECT_EQ(entries[2].kind, RecordingEntryKind::kClockOffset);
  int64_t offset = 0;
  ASSERT_EQ(entries[2].payload.size(), sizeof(offset));
  std::memcpy(&offset, entries[2].payload.data(), sizeof(offset));
  EXPECT_EQ(offset, 42);
  EXPECT_EQ(std::vector<uint8_t>(entries[3].payload.begin(), entries[3].payload.end()), records[1]);
  EXPECT_EQ(entries[3].receive_monotonic_ns, 20'000u);

  std::string resource_error;
  auto resource = DecodeResource(entries[0].payload, &resource_error);
  ASSERT_TRUE(resource) << resource_error;
  EXPECT_EQ(resource->service_name, "checkout");
}

TEST(RecordingFile, EventPayloadsAreEightByteAlignedLikeTheRingBuffers) {
  TempPath path;
  WriteSample(path.str());
  std::string error;
  auto reader = RecordingReader::Open(path.str(), &error);
  ASSERT_TRUE(reader) << error;
  for (const RecordingEntry& entry : ReadAll(*reader))
    EXPECT_EQ(reinterpret_cast<uintptr_t>(entry.payload.data()) % 8, 0u);
}

TEST(RecordingFile, RewindReplaysFromTheFirstEntry) {
  TempPath path;
  WriteSample(path.str());
  std::string error;
  auto reader = RecordingReader::Open(path.str(), &error);
  ASSERT_TRUE(reader) << error;
  EXPECT_EQ(ReadAll(*reader).size(), 4u);
  reader->Rewind();
  EXPECT_EQ(ReadAll(*reader).size(), 4u);
  EXPECT_TRUE(reader->ended_cleanly());
}

TEST(RecordingFile, TruncatedMidEntryGivesTheEntriesBeforeAndSaysSo) {
  TempPath path;
  WriteSample(path.str());
  auto bytes = ReadBytes(path.str());
  // Cut inside the last event (the end marker is 16 bytes; go 20 further).
  bytes.resize(bytes.size() - sizeof(RecordingEntryHeader) - 20);
  WriteBytes(path.str(), bytes);
  std::string error;
  auto reader = RecordingReader::Open(path.str(), &error);
  ASSERT_TRUE(reader) << error;
  auto entries = ReadAll(*reader);
  EXPECT_EQ(entries.size(), 3u);
  EXPECT_FALSE(reader->ended_cleanly());
  EXPECT_NE(reader->problem().find("truncated after 3 entries"), std::string::npos) << reader->problem();
  EXPECT_EQ(reader->problem().find('\n'), std::string::npos);
}

TEST(RecordingFile, TruncatedInsideAnEntryHeader) {
  TempPath path;
  WriteSample(path.str());
  auto bytes = ReadBytes(path.str());
  bytes.resize(bytes.size() - 7);  // 9 bytes of the 16-byte end marker left
  WriteBytes(path.str(), bytes);
  std::string error;
  auto reader = RecordingReader::Open(path.str(), &error);
  ASSERT_TRUE(reader) << error;
  EXPECT_EQ(ReadAll(*reader).size(), 4u);
  EXPECT_NE(reader->problem().find("truncated after 4 entries (9 stray bytes"), std::string::npos)
      << reader->problem();
}

TEST(RecordingFile, MissingEndMarkerIsReportedAfterAllEntries) {
  TempPath path;
  WriteSample(path.str());
  auto bytes = ReadBytes(path.str());
  bytes.resize(bytes.size() - sizeof(RecordingEntryHeader));
  WriteBytes(path.str(), bytes);
  std::string error;
  auto reader = RecordingReader::Open(path.str(), &error);
  ASSERT_TRUE(reader) << error;
  EXPECT_EQ(ReadAll(*reader).size(), 4u);
  EXPECT_FALSE(reader->ended_cleanly());
  EXPECT_NE(reader->problem().find("without its end marker"), std::string::npos) << reader->problem();
}

TEST(RecordingFile, OversizedEntryLengthIsCorruptNotAnAllocation) {
  TempPath path;
  WriteSample(path.str());
  auto bytes = ReadBytes(path.str());
  RecordingFileHeader header;
  std::memcpy(&header, bytes.data(), sizeof(header));
  const uint32_t huge = 0xfffffff0u;
  std::memcpy(bytes.data() + header.header_bytes, &huge, sizeof(huge));  // first entry's length
  WriteBytes(path.str(), bytes);
  std::string error;
  auto reader = RecordingReader::Open(path.str(), &error);
  ASSERT_TRUE(reader) << error;
  EXPECT_TRUE(ReadAll(*reader).empty());
  EXPECT_NE(reader->problem().find("corrupt entry"), std::string::npos) << reader->problem();
  EXPECT_NE(reader->problem().find(std::to_string(huge)), std::string::npos) << reader->problem();
}

TEST(RecordingFile, UnknownEntryKindIsCorrupt) {
  TempPath path;
  WriteSample(path.str());
  auto bytes = ReadBytes(path.str());
  RecordingFileHeader header;
  std::memcpy(&header, bytes.data(), sizeof(header));
  bytes[header.header_bytes + offsetof(RecordingEntryHeader, kind)] = 99;
  WriteBytes(path.str(), bytes);
  std::string error;
  auto reader = RecordingReader::Open(path.str(), &error);
  ASSERT_TRUE(reader) << error;
  EXPECT_TRUE(ReadAll(*reader).empty());
  EXPECT_NE(reader->problem().find("unknown kind 99"), std::string::npos) << reader->problem();
}

// Open() on a sample whose header was changed by `patch`; the error text.
template <typename Patch>
std::string OpenPatched(Patch patch) {
  TempPath path;
  WriteSample(path.str());
  auto bytes = ReadBytes(path.str());
  RecordingFileHeader header;
  std::memcpy(&header, bytes.data(), sizeof(header));
  patch(header);
  std::memcpy(bytes.data(), &header, sizeof(header));
  WriteBytes(path.str(), bytes);
  std::string error;
  auto reader = RecordingReader::Open(path.str(), &error);
  EXPECT_FALSE(reader);
  EXPECT_EQ(error.find('\n'), std::string::npos);
  EXPECT_NE(error.find(path.str()), std::string::npos) << "the message names the file: " << error;
  return error;
}

TEST(RecordingFile, BadMagicIsRefused) {
  auto error = OpenPatched([](RecordingFileHeader& h) { h.magic[0] = 'X'; });
  EXPECT_NE(error.find("not a zerotrace recording"), std::string::npos) << error;
}

TEST(RecordingFile, OtherFormatVersionIsRefused) {
  auto error = OpenPatched([](RecordingFileHeader& h) { h.format_version = 7; });
  EXPECT_NE(error.find("format version 7"), std::string::npos) << error;
}

TEST(RecordingFile, OtherByteOrderIsRefused) {
  auto error = OpenPatched([](RecordingFileHeader& h) { h.byte_order = 0x04030201; });
  EXPECT_NE(error.find("byte order"), std::string::npos) << error;
}

TEST(RecordingFile, OtherKernelEventLayoutIsRefused) {
  auto error = OpenPatched([](RecordingFileHeader& h) { h.data_event_header_size += 8; });
  EXPECT_NE(error.find("another kernel event layout"), std::string::npos) << error;
  auto moved_field = OpenPatched([](RecordingFileHeader& h) { h.layout_fingerprint ^= 1; });
  EXPECT_NE(moved_field.find("another kernel event layout"), std::string::npos) << moved_field;
}

TEST(RecordingFile, HeaderLongerThanTheFileIsTruncation) {
  auto error = OpenPatched([](RecordingFileHeader& h) { h.header_bytes = 1 << 30; });
  EXPECT_NE(error.find("truncated recording"), std::string::npos) << error;
}

TEST(RecordingFile, EmptyShortMissingAndDirectoryFilesAreOneLineEach) {
  TempPath empty, short_file;
  WriteBytes(empty.str(), {});
  WriteBytes(short_file.str(), {'Z', 'T', 'R'});
  std::string error;
  EXPECT_FALSE(RecordingReader::Open(empty.str(), &error));
  EXPECT_NE(error.find("empty file"), std::string::npos) << error;
  EXPECT_FALSE(RecordingReader::Open(short_file.str(), &error));
  EXPECT_NE(error.find("too short"), std::string::npos) << error;
  EXPECT_FALSE(RecordingReader::Open("/nonexistent/zt.rec", &error));
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
  EXPECT_FALSE(RecordingReader::Open(::testing::TempDir(), &error));
  EXPECT_NE(error.find("not a regular file"), std::string::npos) << error;
}

TEST(RecordingWriter, UnwritablePathIsOneLine) {
  std::string error;
  EXPECT_FALSE(RecordingWriter::Create("/nonexistent/dir/zt.rec", Info(), kNoLimit, &error));
  EXPECT_NE(error.find("cannot write the recording /nonexistent/dir/zt.rec"), std::string::npos) << error;
}

TEST(RecordingWriter, SizeLimitStopsRecordingWithAReadableFile) {
  TempPath path;
  EventGenerator client(ZT_ROLE_CLIENT, 9);
  const auto record = client.Out(Get("/x"), 1, 2).record;
  const uint64_t limit = 4096;
  std::string error;
  auto writer = RecordingWriter::Create(path.str(), Info(), limit, &error);
  ASSERT_TRUE(writer) << error;
  spdlog::set_level(spdlog::level::off);  // the one-line notice is expected here
  int appended = 0;
  for (int i = 0; i < 1000 && writer->AppendEvent(100 + i, record); ++i) ++appended;
  spdlog::set_level(spdlog::level::info);
  EXPECT_EQ(writer->state(), RecordingWriter::State::kLimitReached);
  EXPECT_GT(appended, 5);
  EXPECT_LT(appended, 1000);
  EXPECT_FALSE(writer->AppendEvent(5000, record)) << "recording resumed after its limit";
  writer.reset();

  struct stat st {};
  ASSERT_EQ(stat(path.str().c_str(), &st), 0);
  EXPECT_LE(static_cast<uint64_t>(st.st_size), limit);
  auto reader = RecordingReader::Open(path.str(), &error);
  ASSERT_TRUE(reader) << error;
  EXPECT_EQ(ReadAll(*reader).size(), static_cast<size_t>(appended));
  EXPECT_TRUE(reader->ended_cleanly()) << "a limited recording still ends with its marker";
}

TEST(RecordingWriter, DestructorFlushesWhatWasBuffered) {
  TempPath path;
  EventGenerator client(ZT_ROLE_CLIENT, 9);
  std::string error;
  {
    auto writer = RecordingWriter::Create(path.str(), Info(), kNoLimit, &error);
    ASSERT_TRUE(writer) << error;
    for (int i = 0; i < 3; ++i) writer->AppendEvent(100 + i, client.Out(Get("/x"), 1, 2).record);
  }
  auto reader = RecordingReader::Open(path.str(), &error);
  ASSERT_TRUE(reader) << error;
  EXPECT_EQ(ReadAll(*reader).size(), 3u);
  EXPECT_TRUE(reader->ended_cleanly());
  EXPECT_EQ(reader->end_monotonic_ns(), 102u);
}

TEST(RecordingWriter, BuffersRatherThanWritingEachRecord) {
  TempPath path;
  EventGenerator client(ZT_ROLE_CLIENT, 9);
  std::string error;
  auto writer = RecordingWriter::Create(path.str(), Info(), kNoLimit, &error);
  ASSERT_TRUE(writer) << error;
  const uint64_t header_only = ReadBytes(path.str()).size();
  for (int i = 0; i < 100; ++i) writer->AppendEvent(100 + i, client.Out(Get("/x"), 1, 2).record);
  EXPECT_EQ(ReadBytes(path.str()).size(), header_only) << "records reached the file one by one";
  writer->Finish(1000);
  EXPECT_GT(ReadBytes(path.str()).size(), header_only + 100 * sizeof(zt_data_event_header));
}

}  // namespace
}  // namespace zerotrace
