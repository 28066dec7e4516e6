// @ts-check
/**
 * A scripted OpenAI-compatible Chat Completions server for `npm run bench` (like test/support/fake-openai.ts,
 * in plain JS and driven over HTTP so it can run as its own process).
 *
 * POST /v1/chat/completions  streams an answer (SSE chunks as OpenAI sends them, usage in the last one)
 *                            according to the current config:
 *   mode "tools": while the request carries fewer than `toolCalls` tool results, ask for `perRound`
 *                 write_file calls (distinct file names, `fileBytes` of content each, arguments split
 *                 in `argPieces` chunks); then answer with a short text.
 *   mode "text":  answer with `chunks` text chunks, `delayMs` apart (per stream timers, first one
 *                 after a random phase when `jitter` is set).
 * POST /_config   replaces the config (JSON). Resets the records.
 * GET  /_records  per request: tag (the last message the user wrote), arrived (headers in), start (body in) and
 *                 end (answer written) of its handling and, when
 *                 `recordChunks`, each chunk's [end offset in the answer text, write time]. Times are
 *                 process.hrtime in ms — CLOCK_MONOTONIC, the same clock in every process of the machine.
 * GET  /_stats    { active, served } streams right now / in all.
 * GET  /health    200
 */
import { createServer } from 'node:http';

const now = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * @typedef {object} Config
 * @property {'tools' | 'text'} mode
 * @property {number} toolCalls   tools: total tool calls before the final answer
 * @property {number} perRound    tools: calls per model response
 * @property {number} fileBytes   tools: size of each written file
 * @property {number} argPieces   tools: chunks each call's arguments are split into
 * @property {number} chunks      text: number of text chunks
 * @property {number} delayMs     text: delay between chunks
 * @property {boolean} jitter     text: random phase before the first chunk (0..delayMs)
 * @property {boolean} recordChunks  keep each chunk's write time
 */

/** @type {Config} */
let config = {
  mode: 'text',
  toolCalls: 0,
  perRound: 1,
  fileBytes: 200,
  argPieces: 4,
  chunks: 3,
  delayMs: 0,
  jitter: false,
  recordChunks: false,
};

/** @typedef {{ tag: string, arrived: number, start: number, end: number, toolResults: number, chunks?: [number, number][] }} Record */
/** @type {Record[]} */
let records = [];
let active = 0;
let served = 0;

const base = () => ({
  id: 'chatcmpl-bench',
  object: 'chat.completion.chunk',
  created: Math.floor(Date.now() / 1000),
  model: 'bench',
});

/** @param {unknown} delta @param {string | null} finish */
const chunk = (delta, finish = null) =>
  `data: ${JSON.stringify({ ...base(), choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

const usageChunk = () =>
  `data: ${JSON.stringify({ ...base(), choices: [], usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 } })}\n\n`;

/** @param {string} s @param {number} n */
function split(s, n) {
  const size = Math.max(1, Math.ceil(s.length / Math.max(1, n)));
  const out = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out.length ? out : [''];
}

/** @param {import('node:http').IncomingMessage} req */
async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {any} body
 * @param {Record} record
 */
async function answer(res, body, record) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const messages = /** @type {{ role: string, content: unknown }[]} */ (body.messages ?? []);
  const done = record.toolResults;
  if (config.mode === 'tools' && done < config.toolCalls) {
    const n = Math.min(config.perRound, config.toolCalls - done);
    const out = [];
    for (let i = 0; i < n; i++) {
      const k = done + i;
      const filename = `page-${String(k).padStart(3, '0')}.html`;
      const content = `<p>${k}</p>`.padEnd(config.fileBytes, '.');
      const args = JSON.stringify({ filename, content });
      out.push(
        chunk({ role: 'assistant', tool_calls: [{ index: i, id: `call_${k}`, type: 'function', function: { name: 'write_file', arguments: '' } }] }),
      );
      for (const piece of split(args, config.argPieces)) {
        out.push(chunk({ tool_calls: [{ index: i, function: { arguments: piece } }] }));
      }
    }
    out.push(chunk({}, 'tool_calls'), usageChunk(), 'data: [DONE]\n\n');
    res.end(out.join(''));
    return;
  }
  if (config.mode === 'tools') {
    res.end(chunk({ role: 'assistant', content: `Wrote ${done} files.` }) + chunk({}, 'stop') + usageChunk() + 'data: [DONE]\n\n');
    return;
  }
  // text mode
  /** @type {[number, number][] | undefined} */
  const times = config.recordChunks ? [] : undefined;
  record.chunks = times;
  let offset = 0;
  const delay = config.delayMs;
  if (delay > 0 && config.jitter) await sleep(Math.random() * delay);
  for (let i = 0; i < config.chunks; i++) {
    if (i > 0 && delay > 0) await sleep(delay);
    if (res.destroyed) return;
    const text = `t${i} `;
    offset += text.length;
    times?.push([offset, now()]);
    res.write(chunk(i === 0 ? { role: 'assistant', content: text } : { content: text }));
  }
  void messages;
  res.end(chunk({}, 'stop') + usageChunk() + 'data: [DONE]\n\n');
}

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

const server = createServer(async (req, res) => {
  try {
    if (req.method === 'POST' && req.url?.endsWith('/chat/completions')) {
      const arrived = now();
      active++;
      served++;
      res.on('close', () => active--);
      const raw = await readBody(req);
      // The model's own time starts once the whole request is in: reading it is the client's sending.
      const start = now();
      const body = JSON.parse(raw);
      const messages = /** @type {{ role: string, content: unknown }[]} */ (body.messages ?? []);
      // The agent appends the sandbox state to the newest message as an <environment_details> block
      // (to the user's own message in round 1): the tag is the newest message the user wrote, without it.
      const lastUser = [...messages].reverse().find((m) => m.role === 'user');
      /** @type {Record} */
      const record = {
        tag:
          typeof lastUser?.content === 'string'
            ? lastUser.content.replace(/\n*<environment_details>[\s\S]*?<\/environment_details>\s*$/, '')
            : '',
        arrived,
        start,
        end: 0,
        toolResults: messages.filter((m) => m.role === 'tool').length,
      };
      records.push(record);
      await answer(res, body, record);
      record.end = now();
      return;
    }
    if (req.method === 'POST' && req.url === '/_config') {
      config = { ...config, ...JSON.parse(await readBody(req)) };
      records = [];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(config));
      return;
    }
    if (req.method === 'GET' && req.url === '/_records') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(records));
      return;
    }
    if (req.method === 'GET' && req.url === '/_stats') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ active, served }));
      return;
    }
    if (req.method === 'GET' && req.url === '/health') {
      res.writeHead(200).end('ok');
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
  } catch (err) {
    console.error(err);
    if (!res.headersSent) res.writeHead(500).end('{"error":{"message":"fake-llm failed"}}');
    else res.destroy();
  }
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 3200), '127.0.0.1', () => {
  console.log(`fake-llm listening on ${process.env.PORT}`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
