import { describe, expect, it } from '@jest/globals';
import { LlmError, type LlmMessage, type LlmStreamEvent } from '../llm/llm-client.js';
import { fakeToolContext, TEST_SCOPE } from '../tools/testing/fake-sandbox.js';
import { ToolRegistry } from '../tools/tool-registry.js';
import { AgentLoop } from './agent-loop.js';
import { SUMMARY_REQUEST } from './condense.js';
import { systemPrompt } from './system-prompt.js';
import type { LlmClient, LlmRequest } from '../llm/llm-client.js';
import type { StepState } from './run-ports.js';

type Reply = LlmStreamEvent[] | Error;

/** Answers the n-th request with the n-th reply (or throws it) and records every request. */
class ScriptedLlm implements LlmClient {
  readonly configured = true;
  readonly requests: Omit<LlmRequest, 'signal'>[] = [];
  constructor(private readonly replies: Reply[]) {}

  async *stream(request: LlmRequest): AsyncIterable<LlmStreamEvent> {
    this.requests.push(
      structuredClone({ messages: request.messages, tools: request.tools, model: request.model }),
    );
    const reply = this.replies[this.requests.length - 1];
    if (!reply) {
      throw new Error(`no reply scripted for request ${this.requests.length}`);
    }
    if (reply instanceof Error) {
      throw reply;
    }
    for (const event of reply) {
      await Promise.resolve();
      yield event;
    }
  }
}

const write = (id: string, filename: string, content: string): LlmStreamEvent[] => [
  { type: 'tool_call', index: 0, id, name: 'write_file', argumentsDelta: '' },
  { type: 'tool_call', index: 0, argumentsDelta: JSON.stringify({ filename, content }) },
];
const say = (text: string): LlmStreamEvent[] => [{ type: 'text', delta: text }];
const usage = (p: number, c: number): LlmStreamEvent => ({
  type: 'usage',
  promptTokens: p,
  completionTokens: c,
});
const big = 'x'.repeat(8000);
const SUMMARY = 'Wrote a.html (big page), b.html and c.html. Left: nothing.';

function run(summaryReply: Reply) {
  const llm = new ScriptedLlm([
    [...write('w1', 'a.html', big), usage(10, 10)],
    [...write('w2', 'b.html', 'small'), usage(10, 10)],
    [...write('w3', 'c.html', 'small'), usage(10, 10)],
    summaryReply,
    [...say('Done.'), usage(10, 10)],
  ]);
  const ctx = fakeToolContext();
  const deltas: string[] = [];
  const steps: StepState[] = [];
  let id = 1;
  const loop = new AgentLoop({
    llm,
    tools: new ToolRegistry(),
    toolContext: ctx,
    steps: {
      create: (s) => Promise.resolve({ ...s, id: id++ }),
      update: (s, patch) => Promise.resolve({ ...s, ...patch }),
    },
    observer: { step: (s) => steps.push(s), delta: (t) => deltas.push(t) },
    conversation: [{ role: 'user', content: 'Build me a small site' }],
    listFiles: () => ctx.sandbox.list(TEST_SCOPE),
    maxIterations: 10,
    signal: new AbortController().signal,
    checkpoint: () => Promise.resolve(),
    streamIdleMs: 5000,
    // Room for the system prompt (4 characters a token) and 1 500 tokens: the 8 000-character write passes it.
    contextTokens: Math.ceil(systemPrompt().length / 4) + 1500,
    condense: true,
  });
  return { llm, deltas, ctx, outcome: loop.run() };
}

const callIds = (messages: LlmMessage[]) =>
  messages.flatMap((m) => (m.role === 'assistant' ? (m.toolCalls ?? []).map((c) => c.id) : []));

describe('AgentLoop condensing', () => {
  it('has the model summarise older rounds once the budget is passed, and sends the summary instead', async () => {
    const h = run([...say(SUMMARY), usage(700, 30)]);
    const outcome = await h.outcome;

    expect(h.llm.requests).toHaveLength(5);
    // Before the budget was passed: no summary request.
    expect(h.llm.requests.slice(0, 3).every((r) => r.tools.length > 0)).toBe(true);
    const summaryRequest = h.llm.requests[3];
    expect(summaryRequest.tools).toEqual([]);
    expect(summaryRequest.messages.at(-1)?.content).toContain(SUMMARY_REQUEST);
    expect(callIds(summaryRequest.messages)).toEqual(['w1', 'w2']);

    const next = h.llm.requests[4].messages;
    const text = JSON.stringify(next);
    expect(text).toContain(SUMMARY);
    expect(text).not.toContain(big);
    // The older rounds are gone; the latest round stays whole, its call with its result.
    expect(callIds(next)).toEqual(['w3']);
    expect(
      next.filter((m) => m.role === 'tool').map((m) => m.role === 'tool' && m.toolCallId),
    ).toEqual(['w3']);
    // The summary is merged into this turn's user message (no two user messages in a row).
    expect(next[1]).toMatchObject({ role: 'user' });
    expect(next[1].content).toMatch(/^Build me a small site\n\n\[Summary of earlier work/);

    expect(outcome).toMatchObject({ finishReason: 'completed', contextSummary: SUMMARY });
    // Its tokens count for the turn; its text is not streamed.
    expect(outcome.promptTokens).toBe(740);
    expect(h.deltas.join('')).toBe('Done.');
    expect(h.ctx.sandbox.contentOf(TEST_SCOPE, 'a.html')).toBe(big);
  });

  it('falls back to stubs when the summary request fails, and the turn goes on', async () => {
    const h = run(new LlmError('HTTP 500', 'http', 500));
    const outcome = await h.outcome;

    expect(outcome).toMatchObject({ finishReason: 'completed', content: 'Done.' });
    expect(outcome.contextSummary).toBeUndefined();
    expect(h.llm.requests).toHaveLength(5);
    const next = h.llm.requests[4].messages;
    expect(callIds(next)).toEqual(['w1', 'w2', 'w3']);
    expect(JSON.stringify(next)).not.toContain(big);
    expect(JSON.stringify(next)).toMatch(/8000 characters omitted/);
  });
});
