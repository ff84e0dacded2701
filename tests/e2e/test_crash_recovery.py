"""kill -9 mid-stream, restart on the same data dir: the user message survived, no half-written assistant
entry exists, the run is marked failed, and the session keeps working (ENGINEERING: durability; §5, §7)."""

from __future__ import annotations

import json
import signal
import sqlite3

from fake_llm import Reply
from gw_e2e import IO_TIMEOUT, START_TIMEOUT, SseStream, chat_body, llm_config, post_json, wait_until

USER = "crashy"
MARKER = "please survive the crash 7f3a"


def query(db_path, sql, params=()):
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def session_rows(db_path):
    return query(db_path, "SELECT id, session_key FROM sessions WHERE session_key LIKE ?", (f"%openai-user:{USER}",))


def test_kill_9_mid_stream_then_restart(gateway, fake_llm):
    fake_llm.script(Reply("s" * 3000, chunk_size=1, chunk_delay=0.05))  # minutes if never cut off
    config = llm_config(fake_llm.base_url)
    first = gateway(config, check_exit=False)
    data_dir = first.data_dir

    stream = SseStream(first, "/v1/chat/completions", chat_body(MARKER, stream=True, user=USER))
    try:
        assert stream.status == 200
        content = 0
        while content < 3:  # the run is streaming: the assistant reply is half-way through
            event = stream.next_event()
            assert event is not None and event[1] != "[DONE]", "stream ended early"
            chunk = json.loads(event[1])
            if chunk.get("choices") and chunk["choices"][0]["delta"].get("content"):
                content += 1
        first.send_signal(signal.SIGKILL)
        assert first.wait() == -signal.SIGKILL
    finally:
        stream.close()
    (rec,) = fake_llm.wait_requests(1)
    assert rec.disconnected.wait(IO_TIMEOUT)

    second = gateway(llm_config(fake_llm.base_url, extra={"store": {"data_dir": str(data_dir)}}))
    db = data_dir / "gateway.db"
    assert db.exists(), sorted(p.name for p in data_dir.iterdir())

    ((session_id, session_key),) = session_rows(db)
    assert session_key.endswith(f"openai-user:{USER}"), session_key

    # The run that was cut off is marked failed once recovery has run (at startup or shortly after).
    def runs():
        rows = query(db, "SELECT id, status, error FROM runs WHERE session_id = ?", (session_id,))
        return rows if rows and all(status != "running" for _, status, _ in rows) else None

    (run_id, status, error) = wait_until(runs, START_TIMEOUT, what="the interrupted run to be recovered")[0]
    assert status == "failed", (status, error)

    messages = query(db, "SELECT role, content, sealed IS NOT NULL, run_id, stop_reason FROM messages "
                         "WHERE session_id = ? ORDER BY seq", (session_id,))
    users = [m for m in messages if m[0] == "user"]
    assert len(users) == 1, messages
    assert users[0][2] or MARKER in users[0][1], users  # plaintext holds the text; sealed rows are encrypted
    half_written = [m for m in messages if m[0] == "assistant" and m[4] not in ("error", "aborted")]
    assert not half_written, f"assistant entry without an error/aborted stop reason after a crash: {messages}"

    # The same `user` session works after the restart, and its history still holds the first message.
    fake_llm.script(Reply("back online"))
    resp = post_json(second, "/v1/chat/completions", chat_body("are you back?", user=USER))
    assert resp.status == 200, resp
    assert resp.json()["choices"][0]["message"]["content"] == "back online"
    upstream = fake_llm.wait_requests(2)[1]
    texts = [text for _, text in upstream.messages()]
    assert any(MARKER in t for t in texts) and any("are you back?" in t for t in texts), texts
    assert not any("sss" in t for t in texts), "the half-streamed reply leaked into the history"
