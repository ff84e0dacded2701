#include "net/sse_parser.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "net/sse_writer.hpp"

namespace gw::net {
namespace {

using namespace std::chrono_literals;

struct Seen {
    std::string event;
    std::string data;
    std::string id;

    bool operator==(const Seen&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Seen& s) {
    return os << "{" << s.event << "|" << s.data << "|" << s.id << "}";
}

/// Feeds `parts` in order and returns the dispatched events; fails the test on a parser error.
std::vector<Seen> ParseParts(const std::vector<std::string>& parts, SseParser* parser_out = nullptr) {
    SseParser local;
    SseParser& parser = parser_out != nullptr ? *parser_out : local;
    std::vector<Seen> seen;
    const SseParser::Callback on_event = [&seen](const SseEvent& e) {
        seen.push_back({e.event, e.data, e.id});
    };
    for (const auto& part : parts) {
        auto r = parser.Feed(part, on_event);
        EXPECT_TRUE(r) << r.error().message;
    }
    return seen;
}

std::vector<Seen> Parse(const std::string& stream) {
    return ParseParts({stream});
}

/// A stream exercising every rule: BOM, all line endings, comments, multi-line data, ids, retry,
/// unknown fields, fields without colon, event names, and an event without data.
const std::string kRichStream =
    "\xEF\xBB\xBF"
    ": leading comment\r\n"
    "retry: 1500\n"
    "event: delta\r"
    "id: 7\r\n"
    "data: first line\n"
    "data:second line\r"
    "data:  two spaces\r\n"
    "\n"
    "unknown: ignored\n"
    "data\n"
    "\r"
    "event: lonely\n"
    "\n"
    "data: [DONE]\r\n"
    "\r\n";

const std::vector<Seen> kRichEvents{
    {"delta", "first line\nsecond line\n two spaces", "7"},
    {"message", "", "7"},
    {"message", "[DONE]", "7"},
};

TEST(SseParserTest, ParsesEveryFieldKindOfTheSpec) {
    SseParser parser;
    const auto seen = ParseParts({kRichStream}, &parser);
    EXPECT_EQ(seen, kRichEvents);
    EXPECT_EQ(parser.Retry(), 1500ms);
    EXPECT_EQ(parser.LastEventId(), "7");
    EXPECT_FALSE(parser.Incomplete());
}

TEST(SseParserTest, SplittingAtEveryBytePositionGivesTheSameEvents) {
    for (std::size_t i = 0; i <= kRichStream.size(); ++i) {
        const auto seen = ParseParts({kRichStream.substr(0, i), kRichStream.substr(i)});
        EXPECT_EQ(seen, kRichEvents) << "split at " << i;
    }
    // Three parts: every pair of split positions.
    for (std::size_t i = 0; i <= kRichStream.size(); ++i) {
        for (std::size_t j = i; j <= kRichStream.size(); ++j) {
            const auto seen =
                ParseParts({kRichStream.substr(0, i), kRichStream.substr(i, j - i), kRichStream.substr(j)});
            ASSERT_EQ(seen, kRichEvents) << "split at " << i << " and " << j;
        }
    }
    std::vector<std::string> bytes;
    for (char c : kRichStream) {
        bytes.emplace_back(1, c);
    }
    EXPECT_EQ(ParseParts(bytes), kRichEvents);
}

TEST(SseParserTest, AllLineEndingsAreEquivalent) {
    const std::vector<Seen> expected{{"a", "1\n2", "x"}, {"message", "3", "x"}};
    EXPECT_EQ(Parse("event: a\nid: x\ndata: 1\ndata: 2\n\ndata: 3\n\n"), expected);
    EXPECT_EQ(Parse("event: a\r\nid: x\r\ndata: 1\r\ndata: 2\r\n\r\ndata: 3\r\n\r\n"), expected);
    EXPECT_EQ(Parse("event: a\rid: x\rdata: 1\rdata: 2\r\rdata: 3\r\r"), expected);
    // A CR at the end of one feed followed by LF at the start of the next is one line ending.
    EXPECT_EQ(
        ParseParts({"data: 1\r", "\ndata: 2\r", "\n\r", "\n"}), (std::vector<Seen>{{"message", "1\n2", ""}})
    );
}

TEST(SseParserTest, StripsTheBomOnlyOnceAndOnlyAtTheStart) {
    EXPECT_EQ(
        Parse("\xEF\xBB\xBF"
              "data: a\n\n"),
        (std::vector<Seen>{{"message", "a", ""}})
    );
    // A second BOM belongs to the field name, which is then unknown.
    EXPECT_TRUE(Parse("\xEF\xBB\xBF\xEF\xBB\xBF"
                      "data: a\n\n")
                    .empty());
    // A BOM prefix that turns out not to be one is content.
    EXPECT_EQ(
        Parse("\xEF\xBB"
              "data: a\n\ndata: b\n\n"),
        (std::vector<Seen>{{"message", "b", ""}})
    );
    EXPECT_EQ(ParseParts({"\xEF", "\xBB", "\xBF", "data: c\n\n"}), (std::vector<Seen>{{"message", "c", ""}}));
}

TEST(SseParserTest, StripsOnlyOneSpaceAfterTheColon) {
    EXPECT_EQ(Parse("data:x\n\n")[0].data, "x");
    EXPECT_EQ(Parse("data: x\n\n")[0].data, "x");
    EXPECT_EQ(Parse("data:  x \n\n")[0].data, " x ");
    EXPECT_EQ(Parse("data:\tx\n\n")[0].data, "\tx");
}

TEST(SseParserTest, FieldWithoutColonHasAnEmptyValue) {
    EXPECT_EQ(Parse("data\n\n"), (std::vector<Seen>{{"message", "", ""}}));
    EXPECT_EQ(Parse("data\ndata\n\n"), (std::vector<Seen>{{"message", "\n", ""}}));
    EXPECT_EQ(Parse("event\ndata: a\n\n"), (std::vector<Seen>{{"message", "a", ""}}));
}

TEST(SseParserTest, EventWithoutDataIsDroppedAndItsNameForgotten) {
    EXPECT_EQ(Parse("event: x\n\ndata: y\n\n"), (std::vector<Seen>{{"message", "y", ""}}));
    EXPECT_TRUE(Parse("id: 1\nevent: x\nretry: 5\n\n: c\n\n").empty());
}

TEST(SseParserTest, IdPersistsAndNulIdsAreIgnored) {
    const std::string nul_id("id: bad\0id\n", 11);
    EXPECT_EQ(
        Parse("id: 1\ndata: a\n\ndata: b\n\n" + nul_id + "data: c\n\nid\ndata: d\n\n"),
        (std::vector<Seen>{
            {"message", "a", "1"}, {"message", "b", "1"}, {"message", "c", "1"}, {"message", "d", ""}})
    );
}

TEST(SseParserTest, RetryAcceptsOnlyAsciiDigits) {
    for (const char* bad :
         {"retry: -5\n",
          "retry: 5s\n",
          "retry:\n",
          "retry: 1 0\n",
          "retry: +5\n",
          "retry: 99999999999999999999999\n"}) {
        SseParser parser;
        ParseParts({bad}, &parser);
        EXPECT_FALSE(parser.Retry().has_value()) << bad;
    }
    SseParser parser;
    ParseParts({"retry: 250\nretry: x\n"}, &parser);
    EXPECT_EQ(parser.Retry(), 250ms);
}

TEST(SseParserTest, DoneMarkerIsOrdinaryData) {
    EXPECT_EQ(
        Parse("data: {\"a\":1}\n\ndata: [DONE]\n\n"),
        (std::vector<Seen>{{"message", "{\"a\":1}", ""}, {"message", "[DONE]", ""}})
    );
}

TEST(SseParserTest, PartialEventAtEndIsNotDispatched) {
    SseParser parser;
    EXPECT_TRUE(ParseParts({"data: a\n\ndata: b\n"}, &parser).size() == 1);
    EXPECT_TRUE(parser.Incomplete());
    SseParser line_only;
    EXPECT_TRUE(ParseParts({"data: partial"}, &line_only).empty());
    EXPECT_TRUE(line_only.Incomplete());
    SseParser complete;
    ParseParts({"data: a\n\n: trailing comment\n"}, &complete);
    EXPECT_FALSE(complete.Incomplete());
}

TEST(SseParserTest, OversizedEventFailsAndStaysFailedUntilReset) {
    SseParser parser(64);
    int events = 0;
    const SseParser::Callback count = [&events](const SseEvent&) { ++events; };
    ASSERT_TRUE(parser.Feed("data: 0123456789\n\n", count));
    EXPECT_EQ(events, 1);
    // Many short data lines of one event add up.
    Result<void> r = Ok();
    for (int i = 0; i < 10 && r; ++i) {
        r = parser.Feed("data: 0123456789\n", count);
    }
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kUpstreamError);
    EXPECT_NE(r.error().message.find("64"), std::string::npos);
    // Failed: even a valid event is refused now.
    EXPECT_FALSE(parser.Feed("\ndata: ok\n\n", count));
    EXPECT_EQ(events, 1);
    parser.Reset();
    ASSERT_TRUE(parser.Feed("data: ok\n\n", count));
    EXPECT_EQ(events, 2);
}

TEST(SseParserTest, LineWithoutEndIsBoundedToo) {
    SseParser parser(100);
    const SseParser::Callback ignore = [](const SseEvent&) {};
    Result<void> r = Ok();
    int fed = 0;
    while (r && fed < 1000) {
        r = parser.Feed("x", ignore);  // one endless line, byte by byte
        ++fed;
    }
    ASSERT_FALSE(r);
    EXPECT_EQ(fed, 101);
}

TEST(SseWriterTest, FormatsEventNameIdAndMultiLineData) {
    EXPECT_EQ(SseWriter::Event("hello"), "data: hello\n\n");
    EXPECT_EQ(SseWriter::Event("a\nb", "delta", "42"), "event: delta\nid: 42\ndata: a\ndata: b\n\n");
    EXPECT_EQ(SseWriter::Event(""), "data: \n\n");
    EXPECT_EQ(
        SseWriter::Event("x", "bad\r\nname", std::string("i\nd\0", 4)), "event: badname\nid: id\ndata: x\n\n"
    );
    EXPECT_EQ(SseWriter::Comment("ping"), ": ping\n\n");
    EXPECT_EQ(SseWriter::Retry(3s), "retry: 3000\n\n");
    std::string out = "prefix|";
    SseWriter::AppendEvent(out, "1");
    EXPECT_EQ(out, "prefix|data: 1\n\n");
}

TEST(SseWriterTest, EventsRoundTripThroughTheParser) {
    const std::vector<Seen> inputs{
        {"message", "plain", ""},
        {"delta", "two\nlines", "1"},
        {"message", " leading space", "1"},
        {"message", "", "2"},
        {"message", "trailing newline\n", "2"},
        {"message", "\n\n", "2"},
        {"message", ": not a comment", "3"},
        {"message", "[DONE]", "3"},
    };
    std::string stream = SseWriter::Comment("hello\nworld") + SseWriter::Retry(10ms);
    for (const auto& in : inputs) {
        stream += SseWriter::Event(in.data, in.event == "message" ? "" : in.event, in.id);
    }
    SseParser parser;
    EXPECT_EQ(ParseParts({stream}, &parser), inputs);
    EXPECT_EQ(parser.Retry(), 10ms);
    // CR and CRLF in data become LF.
    EXPECT_EQ(Parse(SseWriter::Event("a\r\nb\rc")), (std::vector<Seen>{{"message", "a\nb\nc", ""}}));
}

}  // namespace
}  // namespace gw::net
