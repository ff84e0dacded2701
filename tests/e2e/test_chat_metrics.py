"""/metrics after conversation runs: messages processed, openclaw_llm_* families, promtool still happy."""

from __future__ import annotations

import subprocess

from fake_llm import Error
from gw_e2e import chat_body, parse_metrics, post_json, sample_sum

# Same tolerance as test_metrics.py: promtool's "_count" suffix lint on the two gauge names the brief fixes.
MANDATED_LINT_EXCEPTIONS = {
    f'{name} non-histogram and non-summary metrics should not have "_count" suffix'
    for name in ("openclaw_users_active_count", "openclaw_channel_connections_count")
}
PROMTOOL_LINT_FINDINGS = 3


def test_metrics_after_runs(llm_gateway, fake_llm, promtool):
    fake_llm.script(Error(429, retry_after=0))
    gw = llm_gateway()
    _, before = gw.metrics()
    for i in range(2):
        resp = post_json(gw, "/v1/chat/completions", chat_body(f"count me {i}"))
        assert resp.status == 200, resp
    with_stream = post_json(gw, "/v1/chat/completions", chat_body("streamed", stream=True))
    assert with_stream.status == 200

    body = gw.get("/metrics").body
    types, samples = parse_metrics(body.decode())
    processed = sample_sum(samples, "openclaw_messages_processed_total")
    assert processed - sample_sum(before, "openclaw_messages_processed_total") >= 3, processed
    llm_families = sorted(name for name in types if name.startswith("openclaw_llm_"))
    assert llm_families, sorted(types)
    llm_samples = [s for s in samples if s[0].startswith("openclaw_llm_")]
    assert any(value > 0 for _, _, value in llm_samples), llm_samples

    result = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True, timeout=60)
    output = (result.stdout + result.stderr).decode()
    findings = {line.strip() for line in output.splitlines() if line.strip()}
    ok = result.returncode == 0 or (result.returncode == PROMTOOL_LINT_FINDINGS and findings <= MANDATED_LINT_EXCEPTIONS)
    assert ok, f"promtool exit {result.returncode}:\n{output}\n---\n{body.decode()[:6000]}"
