// @ts-check
/**
 * The floor of an agent turn (`POST /api/sessions/:id/messages`, JSON or SSE): the least a turn must do —
 * the same SQL statements the service sends for a turn and for each tool call (copied from the service's
 * statement log), the same request to the model (the service's own tool specs and system prompt, imported
 * from dist/), a hand-rolled SSE parser instead of the `openai` SDK, and deltas relayed to the client as
 * they arrive. Only write_file is implemented (the only tool the benchmark's model calls).
 */
import { Agent, request } from 'node:http';
import { inTransaction } from './transaction.mjs';
import { ToolRegistry } from '../../dist/agent/tools/tool-registry.js';
import { systemPrompt } from '../../dist/agent/run/system-prompt.js';

const SPECS = new ToolRegistry().specs().map((t) => ({
  type: 'function',
  function: { name: t.name, description: t.description, parameters: t.parameters },
}));

// ---- SQL, verbatim as the service sends it for a turn ---------------------------------------------
const SQL_INSERT_USER_MSG = `INSERT INTO "messages"("session_id", "role", "content", "status", "finish_reason", "prompt_tokens", "completion_tokens", "cancel_requested", "heartbeat_at", "runner_id", "created_at", "finished_at") VALUES ($1, $2, $3, $4, DEFAULT, DEFAULT, DEFAULT, DEFAULT, DEFAULT, DEFAULT, DEFAULT, DEFAULT) RETURNING "id", "content", "status", "cancel_requested", "created_at"`;
const SQL_INSERT_ASSISTANT_MSG = `INSERT INTO "messages"("session_id", "role", "content", "status", "finish_reason", "prompt_tokens", "completion_tokens", "cancel_requested", "heartbeat_at", "runner_id", "created_at", "finished_at") VALUES ($1, $2, $3, $4, DEFAULT, DEFAULT, DEFAULT, DEFAULT, $5, $6, DEFAULT, DEFAULT) RETURNING "id", "content", "status", "cancel_requested", "created_at"`;
const SQL_TOUCH_NOW = `UPDATE sessions SET updated_at = now() WHERE id = $1`;
const SQL_HISTORY = `SELECT "m"."id" AS "m_id", "m"."session_id" AS "m_session_id", "m"."role" AS "m_role", "m"."content" AS "m_content", "m"."status" AS "m_status", "m"."finish_reason" AS "m_finish_reason", "m"."prompt_tokens" AS "m_prompt_tokens", "m"."completion_tokens" AS "m_completion_tokens", "m"."cancel_requested" AS "m_cancel_requested", "m"."heartbeat_at" AS "m_heartbeat_at", "m"."runner_id" AS "m_runner_id", "m"."created_at" AS "m_created_at", "m"."finished_at" AS "m_finished_at" FROM "messages" "m" WHERE "m"."session_id" = $1 AND "m"."id" < $2 AND "m"."content" <> $3 ORDER BY "m"."id" DESC LIMIT 200`;
const SQL_LIST_FILES = `SELECT f.path, f.size FROM sandbox_files f JOIN sessions s ON s.id = f.session_id
        WHERE f.session_id = $1 AND s.user_id = $2 ORDER BY f.path COLLATE "C"`;
const SQL_INSERT_STEP = `INSERT INTO execution_steps
         (session_id, message_id, iteration, tool_call_id, tool_name, tool_arguments, status, progress,
          error, started_at, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`;
const SQL_STEP_RUNNING = `UPDATE execution_steps SET status = $2, tool_arguments = $3, started_at = $4 WHERE id = $1`;
const SQL_STEP_DONE = `UPDATE execution_steps SET status = $2, progress = $3, error = $4, finished_at = $5 WHERE id = $1`;
const SQL_CANCEL_REQUESTED = `SELECT id FROM messages WHERE id = ANY($1::int[]) AND cancel_requested`;
const SQL_FINISH = `UPDATE "messages" SET "status" = $1, "finish_reason" = $2, "content" = $3, "prompt_tokens" = $4, "completion_tokens" = $5, "finished_at" = $6 WHERE "id" = $7`;
const SQL_MESSAGE = `SELECT "Message"."id" AS "Message_id", "Message"."session_id" AS "Message_session_id", "Message"."role" AS "Message_role", "Message"."content" AS "Message_content", "Message"."status" AS "Message_status", "Message"."finish_reason" AS "Message_finish_reason", "Message"."prompt_tokens" AS "Message_prompt_tokens", "Message"."completion_tokens" AS "Message_completion_tokens", "Message"."cancel_requested" AS "Message_cancel_requested", "Message"."heartbeat_at" AS "Message_heartbeat_at", "Message"."runner_id" AS "Message_runner_id", "Message"."created_at" AS "Message_created_at", "Message"."finished_at" AS "Message_finished_at" FROM "messages" "Message" WHERE (("Message"."id" = $1)) LIMIT 1`;
const SQL_TOUCH = `UPDATE "sessions" SET "updated_at" = $1 WHERE "id" = $2`;

const modelAgent = new Agent({ keepAlive: true, maxSockets: Infinity });

/**
 * @typedef {object} AgentDeps
 * @property {import('pg').Pool} pool
 * @property {string} modelUrl  …/v1
 * @property {(sid: string, userId: number, name: string, bytes: Buffer) => Promise<void>} writeFile
 */

/** @param {import('pg').PoolClient | import('pg').Pool} db @param {string} sql @param {unknown[]} [params] */
const q = (db, sql, params) => db.query(sql, params);

/**
 * Streams one model response: text pieces go to `onText` as they arrive; tool calls are gathered.
 * @param {string} modelUrl
 * @param {unknown} body
 * @param {(text: string) => void} onText
 */
function callModel(modelUrl, body, onText) {
  return /** @type {Promise<{ text: string, calls: { id: string, name: string, args: string }[], usage: [number, number] }>} */ (
    new Promise((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = request(
        `${modelUrl}/chat/completions`,
        {
          method: 'POST',
          agent: modelAgent,
          headers: {
            'content-type': 'application/json',
            authorization: 'Bearer bench',
            'content-length': Buffer.byteLength(payload),
          },
        },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            reject(new Error(`model answered ${res.statusCode}`));
            return;
          }
          res.setEncoding('utf8');
          let buffer = '';
          let text = '';
          /** @type {{ id: string, name: string, args: string }[]} */
          const calls = [];
          /** @type {[number, number]} */
          const usage = [0, 0];
          res.on('data', (/** @type {string} */ data) => {
            buffer += data;
            let at;
            while ((at = buffer.indexOf('\n\n')) !== -1) {
              const line = buffer.slice(0, at);
              buffer = buffer.slice(at + 2);
              if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
              const chunk = JSON.parse(line.slice(6));
              const delta = chunk.choices?.[0]?.delta;
              if (delta?.content) {
                text += delta.content;
                onText(delta.content);
              }
              for (const c of delta?.tool_calls ?? []) {
                const call = (calls[c.index] ??= { id: '', name: '', args: '' });
                call.id ||= c.id ?? '';
                call.name += c.function?.name ?? '';
                call.args += c.function?.arguments ?? '';
              }
              if (chunk.usage) {
                usage[0] += chunk.usage.prompt_tokens;
                usage[1] += chunk.usage.completion_tokens;
              }
            }
          });
          res.on('end', () => resolve({ text, calls: calls.filter(Boolean), usage }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    })
  );
}

/**
 * One agent turn with the service's SQL; `send` gets SSE events when streaming.
 * @param {AgentDeps} deps
 * @param {{ userId: number, sessionId: string, content: string, send?: (event: string, data: unknown) => void }} turn
 */
export async function runTurn(deps, turn) {
  const { pool } = deps;
  const { userId, sessionId: sid, content } = turn;
  // TurnStateService.begin: one transaction
  const { userMsg, assistant } = await inTransaction(pool, async (client) => {
    const user = (await q(client, SQL_INSERT_USER_MSG, [sid, 'user', content, 'completed'])).rows[0];
    const running = (
      await q(client, SQL_INSERT_ASSISTANT_MSG, [sid, 'assistant', '', 'running', new Date(), 'floor'])
    ).rows[0];
    await q(client, SQL_TOUCH_NOW, [sid]);
    return { userMsg: user, assistant: running };
  });
  turn.send?.('user_message', {
    id: userMsg.id,
    session_id: sid,
    content,
    role: 'user',
    status: 'completed',
    created_at: userMsg.created_at.toISOString(),
  });
  const history = (await q(pool, SQL_HISTORY, [sid, userMsg.id, ''])).rows.reverse();
  /** @type {any[]} */
  const conversation = [
    ...history.map((m) => ({ role: m.m_role, content: m.m_content })),
    { role: 'user', content },
  ];
  const texts = [];
  let prompt = 0;
  let completion = 0;
  for (let iteration = 1; iteration <= 200; iteration++) {
    const listing = (await q(pool, SQL_LIST_FILES, [sid, userId])).rows;
    let total = 0;
    const files = listing.map((r) => ((total += r.size), { name: r.path, size: r.size }));
    const system = { role: 'system', content: systemPrompt({ files, total_size: total }) };
    const response = await callModel(
      deps.modelUrl,
      {
        model: 'bench',
        messages: [system, ...conversation],
        tools: SPECS,
        stream: true,
        stream_options: { include_usage: true },
      },
      (text) => turn.send?.('delta', { content: text }),
    );
    prompt += response.usage[0];
    completion += response.usage[1];
    if (response.text) texts.push(response.text);
    if (response.calls.length === 0) break;
    conversation.push({
      role: 'assistant',
      content: response.text || null,
      tool_calls: response.calls.map((c) => ({
        id: c.id,
        type: 'function',
        function: { name: c.name, arguments: c.args },
      })),
    });
    for (const call of response.calls) {
      // DbStepStore.create: one INSERT … RETURNING id
      const step = (
        await q(pool, SQL_INSERT_STEP, [sid, assistant.id, iteration, call.id, call.name, '{}', 'pending', 0, null, null, null])
      ).rows[0];
      const args = JSON.parse(call.args);
      const bytes = Buffer.from(String(args.content), 'utf8');
      const summary = { filename: args.filename, content_bytes: bytes.length };
      await q(pool, SQL_STEP_RUNNING, [step.id, 'running', JSON.stringify(summary), new Date()]);
      await deps.writeFile(sid, userId, String(args.filename), bytes);
      await q(pool, SQL_STEP_DONE, [step.id, 'completed', 100, null, new Date()]);
      conversation.push({
        role: 'tool',
        tool_call_id: call.id,
        content: JSON.stringify({ ok: true, filename: args.filename, size: bytes.length }),
      });
      await q(pool, SQL_CANCEL_REQUESTED, [[assistant.id]]);
    }
  }
  const text = texts.join('\n\n');
  await q(pool, SQL_FINISH, ['completed', 'completed', text, prompt, completion, new Date(), assistant.id]);
  const m = (await q(pool, SQL_MESSAGE, [assistant.id])).rows[0];
  await q(pool, SQL_TOUCH, [new Date(), sid]);
  const view = {
    id: m.Message_id,
    session_id: m.Message_session_id,
    content: m.Message_content,
    role: m.Message_role,
    status: m.Message_status,
    created_at: m.Message_created_at.toISOString(),
    finish_reason: m.Message_finish_reason,
    prompt_tokens: m.Message_prompt_tokens,
    completion_tokens: m.Message_completion_tokens,
  };
  turn.send?.('done', view);
  return view;
}
