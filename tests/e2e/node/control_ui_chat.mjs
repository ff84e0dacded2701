// Drives the stock OpenClaw Control UI (served by a gateway) in headless Chromium: opens it with the
// gateway token in the URL fragment (#token=...), waits for the chat composer and the transcript,
// sends one message and waits for a NEW assistant reply containing --expect to be rendered. Prints one
// JSON line (last line of stdout); exit 0 only when that reply was shown. See ../CONTROL_UI_NOTES.md.
//
//   node control_ui_chat.mjs --url http://127.0.0.1:PORT/ --token T --expect "reply text"
//        [--message TEXT] [--timeout-ms 60000] [--screenshot out.png] [--frames frames.json]
//        [--chromium /usr/bin/chromium] [--emulate-methods m1,m2,...] [--drop-events e1,...]
//   node control_ui_chat.mjs URL TOKEN MESSAGE EXPECT          (positional form, same behaviour)
//
// playwright-core comes from this directory's node_modules (package-lock.json; tests/e2e/node/install.sh),
// or from $PLAYWRIGHT_FROM (a node_modules dir) when that is set. Chromium: --chromium, else $CHROMIUM
// or $CHROMIUM_PATH, else /usr/bin/chromium (browsers are never downloaded). Timeout also from
// $UI_TIMEOUT_MS.
//
// --emulate-methods (debugging aid): proxies the UI's WebSocket to the real server but answers every
// method not in the list with `INVALID_REQUEST unknown method: X` and trims hello-ok features.methods
// to the list, to find which methods the UI really needs; --drop-events (with --emulate-methods) also
// withholds those events from the UI.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import process from 'node:process';

const kComposer = 'textarea[aria-label="Chat composer"]';
const kAssistantBubble = '.chat-group.assistant .chat-bubble';
const kUserBubble = '.chat-group.user .chat-bubble';

function loadChromium() {
  const from = process.env.PLAYWRIGHT_FROM;
  const require = createRequire(from ? `${from.replace(/\/$/, '')}/` : import.meta.url);
  return require('playwright-core').chromium;
}

function parseArgs(argv) {
  const opts = {
    url: '', token: '', expect: '', message: 'Hello from the Control UI e2e test',
    timeoutMs: Number(process.env.UI_TIMEOUT_MS || 60000), screenshot: '', frames: '',
    emulate: null, dropEvents: '',
    chromium: process.env.CHROMIUM || process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  };
  const names = {
    '--url': 'url', '--token': 'token', '--expect': 'expect', '--message': 'message',
    '--timeout-ms': 'timeoutMs', '--screenshot': 'screenshot', '--frames': 'frames',
    '--chromium': 'chromium', '--emulate-methods': 'emulate', '--drop-events': 'dropEvents',
  };
  const args = argv.slice(2);
  if (args.length > 0 && !args[0].startsWith('--')) {
    [opts.url, opts.token, opts.message, opts.expect] = args;
  } else {
    for (let i = 0; i < args.length; i += 2) {
      const key = names[args[i]];
      if (!key || i + 1 >= args.length) throw new Error(`bad argument: ${args[i]}`);
      opts[key] = args[i + 1];
    }
  }
  if (!opts.url || !opts.expect) throw new Error('--url and --expect are required');
  opts.timeoutMs = Number(opts.timeoutMs);
  opts.dropEvents = new Set(opts.dropEvents.split(',').filter(Boolean));
  if (opts.emulate !== null) opts.emulate = new Set(opts.emulate.split(',').map((s) => s.trim()).filter(Boolean));
  return opts;
}

/** Records the UI's WebSocket traffic and summarises it (methods, failures, connect params). */
class FrameLog {
  constructor() {
    this.t0 = Date.now();
    this.frames = [];
    this.pending = new Map(); // req id -> method
    this.methods = [];
    this.failed = [];
    this.connect = null;
    this.hello = null;
    this.connectError = null;
    this.chatSend = null;
    this.loaded = false;
    this.events = new Set();
    this.closes = [];
  }

  record(dir, payload) {
    const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
    this.frames.push({ t: Date.now() - this.t0, dir, text });
    let frame;
    try { frame = JSON.parse(text); } catch { return; }
    if (dir === 'sent' && frame.type === 'req') {
      this.pending.set(frame.id, frame.method);
      this.methods.push(frame.method);
      if (frame.method === 'connect') this.connect = frame.params;
      if (frame.method === 'chat.send') this.chatSend = frame.params;
    } else if (dir === 'recv' && frame.type === 'res') {
      const method = this.pending.get(frame.id);
      if ((method === 'chat.startup' || method === 'chat.history') && frame.ok) this.loaded = true;
      if (method === 'connect') {
        if (frame.ok) this.hello = frame.payload; else this.connectError = frame.error;
      } else if (!frame.ok) {
        this.failed.push({ method, code: frame.error?.code, message: frame.error?.message });
      }
    } else if (dir === 'recv' && frame.type === 'event') {
      this.events.add(frame.event);
    }
  }

  summary() {
    const c = this.connect;
    return {
      methodsCalled: [...new Set(this.methods)],
      methods: this.methods,
      failedMethods: this.failed,
      eventsReceived: [...this.events],
      connect: c && {
        client: c.client, role: c.role, scopes: c.scopes, caps: c.caps,
        authKeys: Object.keys(c.auth || {}), device: Boolean(c.device),
      },
      helloOk: Boolean(this.hello),
      connectError: this.connectError,
      chatSend: this.chatSend,
      closes: this.closes,
    };
  }
}

/** Proxies the UI socket to the server, answering methods outside `allowed` as unknown. */
async function installEmulation(page, allowed, dropEvents, log) {
  await page.routeWebSocket(/.*/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((msg) => {
      log.record('sent', msg);
      let frame;
      try { frame = JSON.parse(msg); } catch { server.send(msg); return; }
      if (frame.type === 'req' && frame.method !== 'connect' && !allowed.has(frame.method)) {
        const res = JSON.stringify({
          type: 'res', id: frame.id, ok: false,
          error: { code: 'INVALID_REQUEST', message: `unknown method: ${frame.method}` },
        });
        log.record('recv', res);
        ws.send(res);
        return;
      }
      server.send(msg);
    });
    server.onMessage((msg) => {
      let out = msg;
      try {
        const frame = JSON.parse(msg);
        if (frame.type === 'event' && dropEvents.has(frame.event)) {
          log.record('dropped', msg);
          return;
        }
        if (frame.type === 'res' && frame.ok && frame.payload?.type === 'hello-ok' && frame.payload.features) {
          frame.payload.features.methods = frame.payload.features.methods.filter((m) => allowed.has(m));
          out = JSON.stringify(frame);
        }
      } catch { /* binary or non-JSON: pass through */ }
      log.record('recv', out);
      ws.send(out);
    });
  });
}

async function waitFor(predicate, timeoutMs, what) {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main() {
  const opts = parseArgs(process.argv);
  const chromium = loadChromium();
  const log = new FrameLog();
  const result = { ok: false, url: opts.url };
  const started = Date.now();
  const deadline = started + opts.timeoutMs;
  const left = () => Math.max(1000, deadline - Date.now());
  const consoleErrors = [];
  let stage = 'launch';
  const browser = await chromium.launch({
    executablePath: opts.chromium,
    headless: true,
    args: ['--no-sandbox', '--no-proxy-server', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  let page;
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text().slice(0, 300)); });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${String(e).slice(0, 300)}`));
    if (opts.emulate) {
      await installEmulation(page, opts.emulate, opts.dropEvents, log);
    } else {
      page.on('websocket', (ws) => {
        ws.on('framesent', (f) => log.record('sent', f.payload));
        ws.on('framereceived', (f) => log.record('recv', f.payload));
        ws.on('close', () => log.closes.push(Date.now() - started));
      });
    }
    stage = 'load';
    const target = new URL(opts.url);
    if (opts.token) target.hash = `token=${encodeURIComponent(opts.token)}`;
    await page.goto(target.toString(), { timeout: left() });

    stage = 'connect';
    const composer = page.locator(kComposer);
    await waitFor(() => log.hello || log.connectError, left(), 'hello-ok');
    if (!log.hello) throw new Error(`connect failed: ${JSON.stringify(log.connectError)}`);
    stage = 'composer';
    await composer.waitFor({ state: 'visible', timeout: left() });
    // The transcript loads after the composer shows (chat.startup; chat.history later on).
    stage = 'transcript';
    await waitFor(() => log.loaded, left(), 'the transcript (chat.startup / chat.history result)');
    await page.waitForTimeout(500);
    result.composerReadyMs = Date.now() - started;

    // A matching reply already in the transcript (a reused session) must not count: remember the
    // matching bubbles (by data-message-id) and wait for a new one.
    stage = 'send';
    const matching = () => page.evaluate(([sel, text]) => [...document.querySelectorAll(sel)]
      .filter((el) => (el.getAttribute('data-message-text') ?? el.innerText ?? '').includes(text))
      .map((el) => ({ id: el.getAttribute('data-message-id') ?? '', text: el.getAttribute('data-message-text') ?? el.innerText })),
    [kAssistantBubble, opts.expect]);
    const before = new Set((await matching()).map((m) => m.id));
    await composer.fill(opts.message);
    await composer.press('Enter');
    await waitFor(() => log.chatSend, left(), 'the chat.send request');
    await page.locator(kUserBubble, { hasText: opts.message }).first().waitFor({ timeout: left() });
    result.userBubbleMs = Date.now() - started;

    stage = 'reply';
    let fresh = null;
    await waitFor(async () => {
      fresh = (await matching()).find((m) => !before.has(m.id)) ?? null;
      return fresh !== null;
    }, left(), `a new assistant reply containing "${opts.expect}"`);
    result.replyText = fresh.text;
    result.replyMs = Date.now() - started;
    result.ok = true;
  } catch (err) {
    result.error = `${stage}: ${String(err?.message ?? err).split('\n')[0]}`;
    if (page) {
      result.assistantTexts = await page.locator(kAssistantBubble).allInnerTexts().catch(() => []);
      result.bannerText = await page.locator('body').innerText().then((t) => t.slice(0, 600)).catch(() => '');
    }
  } finally {
    if (page && opts.screenshot) await page.screenshot({ path: opts.screenshot, fullPage: true }).catch(() => {});
    if (opts.frames) fs.writeFileSync(opts.frames, JSON.stringify(log.frames, null, 1));
    await browser.close().catch(() => {});
  }
  Object.assign(result, log.summary(), { elapsedMs: Date.now() - started, consoleErrors: consoleErrors.slice(0, 20) });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exitCode = result.ok ? 0 : 1;
}

main().catch((err) => {
  process.stdout.write(`${JSON.stringify({ ok: false, error: String(err?.message ?? err) })}\n`);
  process.exitCode = 2;
});
