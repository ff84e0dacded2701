// Drives the gateway with the official `openai` SDK. Usage: node openai_client.mjs <scenario>
// Env: GW_BASE_URL (http://127.0.0.1:<port>/v1), GW_TOKEN (gateway bearer), GW_MODEL (default "openclaw").
// Prints one JSON object on stdout; any failure exits non-zero with the error on stderr.
import OpenAI from 'openai';

const client = new OpenAI({
  baseURL: process.env.GW_BASE_URL,
  apiKey: process.env.GW_TOKEN,
  maxRetries: 0,
  timeout: Number(process.env.GW_TIMEOUT_MS || 30000),
});
const model = process.env.GW_MODEL || 'openclaw';

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

const scenarios = {
  async chat() {
    const completion = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'ping from the sdk' }],
    });
    return { completion };
  },

  async stream() {
    const stream = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'stream from the sdk' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    const finish = chunks.map((c) => c.choices[0]?.finish_reason).filter(Boolean);
    const usage = chunks.map((c) => c.usage).filter(Boolean);
    return { text, finish, usage, ids: [...new Set(chunks.map((c) => c.id))], count: chunks.length };
  },

  async tools() {
    const messages = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await client.chat.completions.create({ model, messages, tools: [weatherTool] });
    const call = first.choices[0].message.tool_calls?.[0];
    if (!call) return { first };
    messages.push(first.choices[0].message);
    messages.push({ role: 'tool', tool_call_id: call.id, content: 'sunny, 24C' });
    const second = await client.chat.completions.create({ model, messages, tools: [weatherTool] });
    return { first, second };
  },

  async user() {
    const ask = (content) =>
      client.chat.completions.create({ model, user: 'sdk-user', messages: [{ role: 'user', content }] });
    const first = await ask('my name is Ada');
    const second = await ask('what is my name?');
    return { first, second };
  },

  async models() {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    return { ids };
  },

  async unauthorized() {
    const bad = new OpenAI({ baseURL: process.env.GW_BASE_URL, apiKey: 'wrong-token', maxRetries: 0 });
    try {
      await bad.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] });
      return { status: 200 };
    } catch (e) {
      return { status: e.status, name: e.constructor.name, error: e.error };
    }
  },
};

const name = process.argv[2];
if (!scenarios[name]) {
  console.error(`unknown scenario ${name}; one of ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}
try {
  process.stdout.write(JSON.stringify(await scenarios[name]()) + '\n');
} catch (e) {
  console.error(`${name}: ${e.constructor.name}: ${e.message}`);
  if (e.error) console.error(JSON.stringify(e.error));
  process.exit(1);
}
