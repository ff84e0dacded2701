#include "domain/audit.hpp"

#include <string>

#include <gtest/gtest.h>

namespace gw::domain {
namespace {

AuditEvent SampleEvent() {
    AuditEvent e;
    e.time_ms = 1700000000123;
    e.tenant_id = "acme";
    e.principal = "user:alice";
    e.factors = {"api_key", "mtls"};
    e.action = std::string(audit_actions::kAuthorize);
    e.resource = "POST /v1/chat/completions";
    e.decision = AuditDecision::kAllow;
    e.reason = "role:member";
    e.source_ip = "10.0.0.7";
    e.user_agent = "curl/8.0";
    e.request_id = "r1";
    e.details = {{"z", "last"}, {"a", "first"}};
    return e;
}

TEST(AuditDecisionTest, NamesRoundTripAndUnknownNamesAreRefused) {
    for (AuditDecision d : {AuditDecision::kAllow, AuditDecision::kDeny, AuditDecision::kError}) {
        EXPECT_EQ(ParseAuditDecision(AuditDecisionName(d)), d);
    }
    EXPECT_EQ(AuditDecisionName(AuditDecision::kDeny), "deny");
    EXPECT_FALSE(ParseAuditDecision("Allow"));
    EXPECT_FALSE(ParseAuditDecision(""));
}

TEST(AuditCanonicalTest, FollowsTheDocumentedNetstringLayout) {
    const std::string expected =
        "11:gw.audit.v1,"
        "2:42,"
        "3:id1,"
        "13:1700000000123,"
        "4:acme,"
        "10:user:alice,"
        "1:2,7:api_key,4:mtls,"
        "12:authz.decide,"
        "25:POST /v1/chat/completions,"
        "5:allow,"
        "11:role:member,"
        "8:10.0.0.7,"
        "8:curl/8.0,"
        "2:r1,"
        "1:2,1:a,5:first,1:z,4:last,";
    EXPECT_EQ(CanonicalAuditBytes(42, "id1", SampleEvent()), expected);
}

TEST(AuditCanonicalTest, MovingBytesBetweenFieldsChangesTheForm) {
    AuditEvent a = SampleEvent();
    AuditEvent b = SampleEvent();
    a.principal = "ab";
    a.resource = "";
    b.principal = "a";
    b.resource = "b";
    EXPECT_NE(CanonicalAuditBytes(1, "x", a), CanonicalAuditBytes(1, "x", b));

    AuditEvent c = SampleEvent();
    AuditEvent d = SampleEvent();
    c.factors = {"a,b"};
    d.factors = {"a", "b"};
    EXPECT_NE(CanonicalAuditBytes(1, "x", c), CanonicalAuditBytes(1, "x", d));

    AuditEvent e = SampleEvent();
    AuditEvent f = SampleEvent();
    e.factors = {"k"};
    e.details = {};
    f.factors = {};
    f.details = {{"k", ""}};
    EXPECT_NE(CanonicalAuditBytes(1, "x", e), CanonicalAuditBytes(1, "x", f));
}

TEST(AuditCanonicalTest, CoversSeqIdAndDecision) {
    const AuditEvent e = SampleEvent();
    const std::string base = CanonicalAuditBytes(7, "id", e);
    EXPECT_NE(CanonicalAuditBytes(8, "id", e), base);
    EXPECT_NE(CanonicalAuditBytes(7, "ie", e), base);
    AuditEvent denied = e;
    denied.decision = AuditDecision::kDeny;
    EXPECT_NE(CanonicalAuditBytes(7, "id", denied), base);
    EXPECT_EQ(CanonicalAuditBytes(7, "id", e, "allow"), base);
}

TEST(AuditNormalizeTest, ReplacesMalformedUtf8AndControlCharacters) {
    AuditEvent e = SampleEvent();
    e.user_agent = "ok\xff\xc3(\n\x1b[31m\xc2\x85\xed\xa0\x80";
    e.principal = "caf\xc3\xa9";  // valid UTF-8 stays
    e.factors = {"a\tb"};
    e.details = {{"note", "x\ry"}};
    auto n = NormalizeAuditEvent(e);
    ASSERT_TRUE(n) << n.error().message;
    const std::string r = "\xEF\xBF\xBD";
    // \xff, lone \xc3, \n, ESC, U+0085 (C1) and each byte of the encoded surrogate are replaced.
    EXPECT_EQ(n->user_agent, "ok" + r + r + "(" + r + r + "[31m" + r + r + r + r);
    EXPECT_EQ(n->principal, "caf\xc3\xa9");
    EXPECT_EQ(n->factors, std::vector<std::string>{"a" + r + "b"});
    EXPECT_EQ(n->details.at("note"), "x" + r + "y");
}

TEST(AuditNormalizeTest, CutsLongTextOnACharacterBoundaryWithAnEllipsis) {
    AuditEvent e = SampleEvent();
    e.reason = std::string(kMaxAuditTextBytes - 4, 'a') + "\xc3\xa9\xc3\xa9\xc3\xa9";  // 2 bytes over
    auto n = NormalizeAuditEvent(e);
    ASSERT_TRUE(n);
    EXPECT_LE(n->reason.size(), kMaxAuditTextBytes);
    // The cut at limit-3 would split the first "é"; it backs off to before it.
    EXPECT_EQ(n->reason, std::string(kMaxAuditTextBytes - 4, 'a') + "\xE2\x80\xA6");

    AuditEvent exact = SampleEvent();
    exact.reason = std::string(kMaxAuditTextBytes, 'b');
    auto kept = NormalizeAuditEvent(exact);
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->reason, exact.reason);
}

TEST(AuditNormalizeTest, IsIdempotent) {
    AuditEvent e = SampleEvent();
    e.user_agent = std::string(2000, 'x') + "\xff";
    e.resource = "\x01\x02";
    auto once = NormalizeAuditEvent(e);
    ASSERT_TRUE(once);
    auto twice = NormalizeAuditEvent(*once);
    ASSERT_TRUE(twice);
    EXPECT_EQ(*once, *twice);
}

TEST(AuditNormalizeTest, RefusesCallerBugs) {
    auto refused = [](AuditEvent e) {
        auto r = NormalizeAuditEvent(std::move(e));
        return !r && r.error().code == ErrorCode::kInvalidArgument;
    };
    AuditEvent e = SampleEvent();
    e.action = "";
    EXPECT_TRUE(refused(e));
    e.action = "Auth.Login";
    EXPECT_TRUE(refused(e));
    e.action = ".login";
    EXPECT_TRUE(refused(e));
    e.action = std::string(kMaxAuditActionBytes + 1, 'a');
    EXPECT_TRUE(refused(e));
    e.action = std::string(kMaxAuditActionBytes, 'a');
    EXPECT_FALSE(refused(e));

    AuditEvent t = SampleEvent();
    t.time_ms = -1;
    EXPECT_TRUE(refused(t));

    AuditEvent f = SampleEvent();
    f.factors.assign(kMaxAuditFactors + 1, "x");
    EXPECT_TRUE(refused(f));
    f.factors.assign(kMaxAuditFactors, "x");
    EXPECT_FALSE(refused(f));

    AuditEvent d = SampleEvent();
    d.details = {{"Bad Key", "v"}};
    EXPECT_TRUE(refused(d));
    d.details = {{"", "v"}};
    EXPECT_TRUE(refused(d));
    d.details.clear();
    for (std::size_t i = 0; i <= kMaxAuditDetails; ++i) {
        d.details["k" + std::to_string(i)] = "v";
    }
    EXPECT_TRUE(refused(d));
}

TEST(AuditFilterTest, ValidatesLimitAndTimeRange) {
    AuditFilter f;
    EXPECT_TRUE(ValidateAuditFilter(f));
    f.limit = 0;
    EXPECT_FALSE(ValidateAuditFilter(f));
    f.limit = kMaxAuditQueryLimit + 1;
    EXPECT_FALSE(ValidateAuditFilter(f));
    f.limit = kMaxAuditQueryLimit;
    EXPECT_TRUE(ValidateAuditFilter(f));
    f.since_ms = 10;
    f.until_ms = 10;
    EXPECT_FALSE(ValidateAuditFilter(f));
    f.until_ms = 11;
    EXPECT_TRUE(ValidateAuditFilter(f));
}

}  // namespace
}  // namespace gw::domain
