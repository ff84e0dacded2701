// ToolRegistry, the built-in tools that need no store, SkillCatalog, prompt helpers and EventStream.
#include "engine/tools.hpp"

#include <filesystem>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "engine/internal/engine_support.hpp"
#include "engine/internal/event_stream.hpp"
#include "engine/skills.hpp"
#include "runtime/testing.hpp"
#include "support/temp_dir.hpp"

namespace gw::engine {
namespace {

using runtime::RunCoro;

class NullTool final : public Tool {
public:
    explicit NullTool(std::string name) : spec_{std::move(name), "", "{}"} {}

    const domain::ToolSpec& Spec() const override { return spec_; }

    boost::asio::awaitable<ToolOutput> Invoke(const ToolContext&, std::string) override {
        co_return ToolOutput{};
    }

private:
    domain::ToolSpec spec_;
};

TEST(ToolRegistryTest, RefusesDuplicateNamesAndListsSorted) {
    ToolRegistry registry;
    ASSERT_TRUE(registry.Register(std::make_unique<NullTool>("zeta")));
    ASSERT_TRUE(registry.Register(std::make_unique<NullTool>("alpha")));
    auto dup = registry.Register(std::make_unique<NullTool>("alpha"));
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
    auto specs = registry.Specs();
    ASSERT_EQ(specs.size(), 2u);
    EXPECT_EQ(specs[0].name, "alpha");
    EXPECT_EQ(registry.Find("missing"), nullptr);
    EXPECT_FALSE(registry.CheckPolicy(ToolContext{}, "alpha"));
    registry.SetPolicy([](const ToolContext&, std::string_view name) -> std::optional<std::string> {
        return name == "zeta" ? std::optional<std::string>("no") : std::nullopt;
    });
    EXPECT_EQ(registry.CheckPolicy(ToolContext{}, "zeta"), "no");
}

class NoTranscripts final : public domain::TranscriptRepository {
public:
    template <class T>
    static boost::asio::awaitable<Result<T>> Fail() {
        co_return MakeError(ErrorCode::kUnavailable, "test");
    }

    boost::asio::awaitable<Result<std::vector<domain::TranscriptEntry>>>
    Append(std::vector<domain::TranscriptEntry>) override {
        return Fail<std::vector<domain::TranscriptEntry>>();
    }

    boost::asio::awaitable<Result<domain::HistoryPage>> History(domain::HistoryQuery) override {
        return Fail<domain::HistoryPage>();
    }

    boost::asio::awaitable<Result<std::vector<domain::TranscriptEntry>>> Branch(
        std::string, std::string, std::size_t
    ) override {
        return Fail<std::vector<domain::TranscriptEntry>>();
    }

    boost::asio::awaitable<Result<domain::TranscriptEntry>> GetEntry(std::string, std::string) override {
        return Fail<domain::TranscriptEntry>();
    }

    boost::asio::awaitable<Result<domain::StartRunResult>> StartRun(domain::RunStart) override {
        return Fail<domain::StartRunResult>();
    }

    boost::asio::awaitable<Result<domain::Run>> FinishRun(domain::RunFinish) override {
        return Fail<domain::Run>();
    }

    boost::asio::awaitable<Result<domain::Run>> GetRun(std::string, std::string) override {
        return Fail<domain::Run>();
    }

    boost::asio::awaitable<Result<int>> RecoverInterruptedRuns() override { return Fail<int>(); }
};

class NoSessions final : public domain::SessionRepository {
public:
    template <class T>
    static boost::asio::awaitable<Result<T>> Fail() {
        co_return MakeError(ErrorCode::kUnavailable, "test");
    }

    boost::asio::awaitable<Result<domain::Session>> GetOrCreate(std::string, domain::SessionKey, std::string)
        override {
        return Fail<domain::Session>();
    }

    boost::asio::awaitable<Result<domain::Session>> Get(std::string, domain::SessionKey) override {
        return Fail<domain::Session>();
    }

    boost::asio::awaitable<Result<domain::SessionPage>> List(std::string, domain::SessionFilter) override {
        return Fail<domain::SessionPage>();
    }

    boost::asio::awaitable<Result<domain::Session>> Patch(
        std::string, domain::SessionKey, domain::SessionPatch
    ) override {
        return Fail<domain::Session>();
    }

    boost::asio::awaitable<Result<domain::Session>> Reset(std::string, domain::SessionKey) override {
        return Fail<domain::Session>();
    }

    boost::asio::awaitable<Result<void>> Delete(std::string, domain::SessionKey) override {
        return Fail<void>();
    }

    boost::asio::awaitable<Result<void>> Touch(std::string, domain::SessionKey) override {
        return Fail<void>();
    }
};

class BuiltinsTest : public ::testing::Test {
protected:
    void Register(const SkillCatalog& skills) {
        BuiltinToolDeps deps{transcripts_, sessions_, skills, [] { return std::int64_t{1'795'607'617'487}; }};
        ASSERT_TRUE(RegisterBuiltinTools(registry_, deps));
    }

    ToolOutput Call(std::string_view tool, std::string args, ToolContext ctx = {}) {
        Tool* t = registry_.Find(tool);
        if (t == nullptr) {
            ADD_FAILURE() << "no tool " << tool;
            return {};
        }
        return RunCoro(t->Invoke(ctx, std::move(args)));
    }

    NoTranscripts transcripts_;
    NoSessions sessions_;
    ToolRegistry registry_;
};

TEST_F(BuiltinsTest, CurrentTimeAnswersUtcAndFixedOffsets) {
    SkillCatalog none;
    Register(none);
    auto utc = Call("current_time", "");
    EXPECT_FALSE(utc.is_error);
    EXPECT_NE(utc.text.find(R"("now":"2026-11-25T11:53:37.487Z")"), std::string::npos) << utc.text;
    auto shifted = Call("current_time", R"({"timezone":"+05:30"})");
    EXPECT_NE(shifted.text.find(R"("now":"2026-11-25T17:23:37.487+05:30")"), std::string::npos)
        << shifted.text;
    auto west = Call("current_time", R"({"timezone":"UTC-3"})");
    EXPECT_NE(west.text.find("T08:53:37.487-03:00"), std::string::npos) << west.text;
    auto iana = Call("current_time", R"({"timezone":"Europe/Oslo"})");
    EXPECT_TRUE(iana.is_error);
    EXPECT_NE(iana.text.find("fixed offset"), std::string::npos);
    EXPECT_TRUE(Call("current_time", "[1,2").is_error);
    EXPECT_TRUE(Call("current_time", R"({"timezone":"+25:00"})").is_error);
}

TEST_F(BuiltinsTest, SessionHistoryReportsAnUnavailableStoreAsToolError) {
    SkillCatalog none;
    Register(none);
    ToolContext ctx;
    ctx.tenant_id = "default";
    ctx.transcript_id = "t1";
    auto out = Call("session_history", "{}", ctx);
    EXPECT_TRUE(out.is_error);
    EXPECT_TRUE(Call("session_history", R"({"limit":"x"})", ctx).is_error);
    EXPECT_TRUE(Call("session_history", "{}").is_error);  // no session
}

TEST_F(BuiltinsTest, SkillToolsListAndReadWithBaseDir) {
    gw::testing::TempDir dir("gw-skills");
    std::filesystem::create_directories(dir.Path() / "a" / "pdf");
    dir.Write("a/pdf/SKILL.md", "---\nname: pdf\ndescription: Work with PDFs\n---\nRun {baseDir}/tool.sh\n");
    auto skills = SkillCatalog::Load({dir.File("a")});
    Register(skills);
    auto list = Call("skills_list", "{}");
    EXPECT_NE(list.text.find("pdf: Work with PDFs"), std::string::npos) << list.text;
    auto body = Call("skill_read", R"({"name":"pdf"})");
    EXPECT_FALSE(body.is_error);
    EXPECT_EQ(body.text, "Run " + dir.File("a/pdf") + "/tool.sh\n");
    EXPECT_TRUE(Call("skill_read", R"({"name":"nope"})").is_error);
    EXPECT_TRUE(Call("skill_read", "{}").is_error);
}

TEST(SkillCatalogTest, ParsesFrontMatterAndRejectsInvalidFiles) {
    std::string why;
    auto skill = SkillCatalog::Parse(
        "---\nname: x\ndescription: d\nhomepage: https://e.x\nmetadata: {openclaw: {emoji: y}}\n---\nbody\n",
        "/l",
        "/b",
        &why
    );
    ASSERT_TRUE(skill) << why;
    EXPECT_EQ(skill->extra.at("homepage"), "https://e.x");
    EXPECT_NE(skill->extra.at("metadata").find("emoji"), std::string::npos);
    EXPECT_EQ(skill->body, "body\n");
    EXPECT_FALSE(SkillCatalog::Parse("no front matter", "", "", &why));
    EXPECT_FALSE(SkillCatalog::Parse("---\nname: x\n---\n", "", "", &why));
    EXPECT_NE(why.find("description"), std::string::npos);
    EXPECT_FALSE(SkillCatalog::Parse("---\nname: [x\ndescription: d\n---\n", "", "", &why));
    EXPECT_FALSE(SkillCatalog::Parse("---\nname: x\ndescription: d\n", "", "", &why));  // not closed
}

TEST(SkillCatalogTest, FirstDirectoryWinsAndInvalidSkillsAreSkipped) {
    gw::testing::TempDir dir("gw-skills");
    for (auto sub : {"one/a", "one/bad", "two/a", "two/b"}) {
        std::filesystem::create_directories(dir.Path() / sub);
    }
    dir.Write("one/a/SKILL.md", "---\nname: a\ndescription: from one\n---\n");
    dir.Write("one/bad/SKILL.md", "---\ndescription: no name\n---\n");
    dir.Write("two/a/SKILL.md", "---\nname: a\ndescription: from two\n---\n");
    dir.Write("two/b/SKILL.md", "---\nname: b\ndescription: only two\n---\n");
    auto catalog = SkillCatalog::Load({dir.File("one"), dir.File("missing"), dir.File("two")});
    ASSERT_EQ(catalog.Skills().size(), 2u);
    EXPECT_EQ(catalog.Find("a")->description, "from one");
    EXPECT_EQ(catalog.Find("b")->description, "only two");
    EXPECT_EQ(catalog.Find("bad"), nullptr);
    EXPECT_EQ(SkillCatalog().PromptListing(), "");
}

domain::TranscriptEntry E(
    std::int64_t seq, std::optional<std::string> run, domain::Role role = domain::Role::kUser
) {
    domain::TranscriptEntry e;
    e.id = "e" + std::to_string(seq);
    e.seq = seq;
    e.run_id = std::move(run);
    e.role = role;
    return e;
}

std::vector<std::string> Ids(const std::vector<domain::TranscriptEntry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) {
        out.push_back(e.id);
    }
    return out;
}

TEST(ConversationOrderTest, GroupsByRunInStartOrderAndDropsQueuedRuns) {
    // r1 starts (1), r2 is committed while r1 runs (2), r1 answers (3), a note without run (4), r2 answers
    // (5).
    std::vector<domain::TranscriptEntry> entries = {
        E(5, "r2"), E(1, "r1"), E(2, "r2"), E(3, "r1"), E(4, std::nullopt)};
    EXPECT_EQ(
        Ids(internal::ConversationOrder(entries, {})),
        (std::vector<std::string>{"e1", "e3", "e2", "e5", "e4"})
    );
    EXPECT_EQ(
        Ids(internal::ConversationOrder(entries, {"r2"})), (std::vector<std::string>{"e1", "e3", "e4"})
    );
}

TEST(ConversationOrderTest, SteeredMessageFollowsTheAnswerItInterrupted) {
    std::vector<std::string> order;
    std::vector<domain::TranscriptEntry> first = {E(1, "r")};
    internal::OrderCurrentRun(first, "r", order);
    // b was steered (2) while the first answer streamed; the answer landed after it (3).
    std::vector<domain::TranscriptEntry> second = {E(1, "r"), E(2, "r"), E(3, "r", domain::Role::kAssistant)};
    internal::OrderCurrentRun(second, "r", order);
    EXPECT_EQ(Ids(second), (std::vector<std::string>{"e1", "e3", "e2"}));
    EXPECT_EQ(order, (std::vector<std::string>{"e1", "e3", "e2"}));
}

TEST(EventStreamTest, RunStreamEndsAfterTerminalAndSlowConsumersAreCutOff) {
    boost::asio::io_context ioc;
    internal::EventStream stream(ioc.get_executor(), true, 2);
    RunEvent delta;
    RunEvent final_event;
    final_event.kind = RunEvent::Kind::kFinal;
    EXPECT_TRUE(stream.Push(delta));
    EXPECT_TRUE(stream.Push(final_event));
    EXPECT_FALSE(stream.Push(delta));  // nothing after the terminal event
    auto first = RunCoro(stream.Next());
    ASSERT_TRUE(first && *first);
    auto second = RunCoro(stream.Next());
    ASSERT_TRUE(second && *second);
    EXPECT_TRUE((*second)->Terminal());
    auto end = RunCoro(stream.Next());
    ASSERT_TRUE(end);
    EXPECT_FALSE(*end);

    internal::EventStream slow(ioc.get_executor(), false, 2);
    EXPECT_TRUE(slow.Push(delta));
    EXPECT_TRUE(slow.Push(delta));
    EXPECT_FALSE(slow.Push(delta));
    auto cut = RunCoro(slow.Next());
    ASSERT_FALSE(cut);
    EXPECT_EQ(cut.error().code, ErrorCode::kRateLimited);
}

TEST(EventStreamTest, CloseWakesAPendingNext) {
    boost::asio::io_context ioc;
    auto stream = std::make_shared<internal::EventStream>(ioc.get_executor(), false);
    std::optional<Result<std::optional<RunEvent>>> got;
    boost::asio::co_spawn(ioc, stream->Next(), [&](std::exception_ptr, Result<std::optional<RunEvent>> r) {
        got = r;
    });
    ioc.poll();
    EXPECT_FALSE(got);
    stream->Close();
    ioc.run_for(std::chrono::seconds(5));
    ASSERT_TRUE(got);
    ASSERT_TRUE(*got);
    EXPECT_FALSE(**got);
}

}  // namespace
}  // namespace gw::engine
