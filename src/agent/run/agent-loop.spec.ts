import { describe, expect, it } from '@jest/globals';
import {
  LlmError,
  type LlmClient,
  type LlmMessage,
  type LlmRequest,
  type LlmStreamEvent,
  type LlmToolSpec,
} from '../llm/llm-client.js';
import { fakeToolContext, TEST_SCOPE } from '../tools/testing/fake-sandbox.js';
import { ToolRegistry } from '../tools/tool-registry.js';
import { systemPrompt } from './system-prompt.js';
import { AgentLoop, type LoopInput } from './agent-loop.js';
import { stripEnvironment } from './environment.js';
import type { RunObserver, StepPatch, StepState, StepStore } from './run-ports.js';

/** One item of a scripted model response: an event to yield, or something the fake provider does. */
type ScriptItem =
  | LlmStreamEvent
  | { type: 'sleep'; ms: number }
  /** Sends nothing more until the request is aborted. */
  | { type: 'hang' }
  | { type: 'fail'; error: Error }
  | { type: 'effect'; run: () => void };

interface RecordedRequest {
  messages: LlmMessage[];
  tools: LlmToolSpec[];
  model?: string;
  maxTokens?: number;
}

const abortedError = () => new LlmError('The request was aborted', 'aborted');

/** Waits `ms`, or rejects as the real client does when the request is aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortedError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Answers the n-th request with the n-th script and records every request it receives. */
class FakeLlm implements LlmClient {
  readonly configured = true;
  readonly requests: RecordedRequest[] = [];

  constructor(
    private readonly scripts: ScriptItem[][],
    private readonly log: string[],
  ) {}

  async *stream(request: LlmRequest): AsyncIterable<LlmStreamEvent> {
    const { signal } = request;
    this.requests.push({
      messages: structuredClone(request.messages),
      tools: structuredClone(request.tools),
      model: request.model,
      maxTokens: request.maxTokens,
    });
    const n = this.requests.length;
    const script = this.scripts[n - 1];
    if (!script) {
      throw new Error(`the fake LLM has no response scripted for request ${n}`);
    }
    for (const [i, item] of script.entries()) {
      if (signal.aborted) {
        throw abortedError();
      }
      switch (item.type) {
        case 'sleep':
          await sleep(item.ms, signal);
          break;
        case 'hang':
          await sleep(24 * 3600 * 1000, signal);
          break;
        case 'fail':
          throw item.error;
        case 'effect':
          item.run();
          break;
        case 'text':
        case 'reasoning':
        case 'tool_call':
        case 'usage':
        case 'finish':
          await Promise.resolve();
          this.log.push(`llm:${n}:${i}`);
          yield item;
      }
    }
  }
}

/** Steps in memory; every operation is kept in order and logged beside the model's events. */
class MemoryStepStore implements StepStore {
  readonly rows = new Map<number, StepState>();
  readonly ops: (
    { op: 'create'; step: StepState } | { op: 'update'; patch: StepPatch; step: StepState }
  )[] = [];
  private nextId = 1;

  constructor(private readonly log: string[]) {}

  create(step: Omit<StepState, 'id'>): Promise<StepState> {
    const row = { ...step, id: this.nextId++ };
    this.rows.set(row.id, row);
    this.ops.push({ op: 'create', step: { ...row } });
    this.log.push(`store:create:${row.toolName}`);
    return Promise.resolve({ ...row });
  }

  update(step: StepState, patch: StepPatch): Promise<StepState> {
    const current = this.rows.get(step.id);
    if (!current) {
      return Promise.reject(new Error(`no step ${step.id}`));
    }
    const row = { ...current, ...patch };
    this.rows.set(row.id, row);
    this.ops.push({ op: 'update', patch: { ...patch }, step: { ...row } });
    this.log.push(`store:update:${row.id}:${row.status}:${row.progress}`);
    return Promise.resolve({ ...row });
  }

  all(): StepState[] {
    return [...this.rows.values()];
  }

  /** The updates of one step, in order. */
  updatesOf(id: number): { patch: StepPatch; step: StepState }[] {
    return this.ops.flatMap((o) => (o.op === 'update' && o.step.id === id ? [o] : []));
  }
}

class RecordingObserver implements RunObserver {
  readonly steps: StepState[] = [];
  readonly deltas: string[] = [];

  step(step: StepState): void {
    this.steps.push(step);
  }

  delta(text: string): void {
    this.deltas.push(text);
  }
}

const text = (delta: string): LlmStreamEvent => ({ type: 'text', delta });
const usage = (promptTokens: number, completionTokens: number): LlmStreamEvent => ({
  type: 'usage',
  promptTokens,
  completionTokens,
});

/** A tool call as a provider streams it: id and name first, then the argument text in `pieces`. */
function toolCall(
  index: number,
  id: string,
  name: string,
  args: unknown,
  pieces = 1,
): LlmStreamEvent[] {
  const raw = typeof args === 'string' ? args : JSON.stringify(args);
  const events: LlmStreamEvent[] = [{ type: 'tool_call', index, id, name, argumentsDelta: '' }];
  const size = Math.max(1, Math.ceil(raw.length / pieces));
  for (let at = 0; at < raw.length; at += size) {
    events.push({ type: 'tool_call', index, argumentsDelta: raw.slice(at, at + size) });
  }
  return events;
}

function harness(scripts: ScriptItem[][], overrides: Partial<LoopInput> = {}) {
  const log: string[] = [];
  const ctx = fakeToolContext();
  const llm = new FakeLlm(scripts, log);
  const store = new MemoryStepStore(log);
  const observer = new RecordingObserver();
  const controller = new AbortController();
  const input: LoopInput = {
    llm,
    tools: new ToolRegistry(),
    toolContext: ctx,
    steps: store,
    observer,
    conversation: [{ role: 'user', content: 'Build me a small site' }],
    listFiles: () => ctx.sandbox.list(TEST_SCOPE),
    maxIterations: 10,
    signal: controller.signal,
    checkpoint: () => Promise.resolve(),
    streamIdleMs: 5000,
    progressIntervalMs: 0,
    ...overrides,
  };
  return {
    log,
    ctx,
    llm,
    store,
    observer,
    controller,
    input,
    run: () => new AgentLoop(input).run(),
  };
}

const parseTool = (message: LlmMessage) => {
  if (message.role !== 'tool') {
    throw new Error(`expected a tool message, got ${message.role}`);
  }
  return {
    toolCallId: message.toolCallId,
    result: JSON.parse(stripEnvironment(message.content)) as Record<string, unknown>,
  };
};

const unfinished = (steps: StepState[]) =>
  steps.filter((s) => s.status === 'pending' || s.status === 'running');

const HTML =
  '<!doctype html>\n<link rel="stylesheet" href="style.css">\n<h1>Héllo</h1>\n<script src="js/app.js"></script>\n';
const CSS = 'h1 { color: rebeccapurple; }\n';
const JS = 'document.querySelector("h1").textContent += "!";\n';

describe('AgentLoop', () => {
  it('builds a three-file site over several rounds and ends with the final answer', async () => {
    const h = harness([
      [
        text('I will build '),
        text('the page first.'),
        ...toolCall(0, 'call_html', 'write_file', { filename: 'index.html', content: HTML }, 3),
        usage(100, 40),
      ],
      [
        ...toolCall(0, 'call_css', 'write_file', { filename: 'style.css', content: CSS }, 2),
        ...toolCall(1, 'call_js', 'write_file', { filename: 'js/app.js', content: JS }, 2),
        usage(300, 60),
      ],
      [text('Done: index.html, style.css and js/app.js.'), usage(500, 15)],
    ]);

    const outcome = await h.run();

    expect(outcome).toEqual({
      status: 'completed',
      finishReason: 'completed',
      content: 'I will build the page first.\n\nDone: index.html, style.css and js/app.js.',
      promptTokens: 900,
      completionTokens: 115,
    });
    expect(h.ctx.sandbox.names(TEST_SCOPE)).toEqual(['index.html', 'js/app.js', 'style.css']);
    expect(h.ctx.sandbox.contentOf(TEST_SCOPE, 'index.html')).toBe(HTML);
    expect(h.ctx.sandbox.contentOf(TEST_SCOPE, 'style.css')).toBe(CSS);
    expect(h.ctx.sandbox.contentOf(TEST_SCOPE, 'js/app.js')).toBe(JS);

    const steps = h.store.all();
    expect(steps).toEqual([
      expect.objectContaining({
        iteration: 1,
        toolCallId: 'call_html',
        toolName: 'write_file',
        toolArguments: { filename: 'index.html', content_bytes: Buffer.byteLength(HTML, 'utf8') },
      }),
      expect.objectContaining({
        iteration: 2,
        toolCallId: 'call_css',
        toolArguments: { filename: 'style.css', content_bytes: CSS.length },
      }),
      expect.objectContaining({
        iteration: 2,
        toolCallId: 'call_js',
        toolArguments: { filename: 'js/app.js', content_bytes: JS.length },
      }),
    ]);
    for (const step of steps) {
      expect(step).toMatchObject({ status: 'completed', progress: 100, error: null });
      expect(step.startedAt).toBeInstanceOf(Date);
      expect(step.finishedAt).toBeInstanceOf(Date);
      expect(step.finishedAt!.getTime()).toBeGreaterThanOrEqual(step.startedAt!.getTime());
    }

    expect(h.llm.requests).toHaveLength(3);
    for (const request of h.llm.requests) {
      expect(request.tools.map((t) => t.name).sort()).toEqual([
        'delete_file',
        'edit_file',
        'get_preview_errors',
        'list_files',
        'move_file',
        'read_file',
        'search_files',
        'update_plan',
        'write_file',
      ]);
    }
    expect(h.observer.deltas.join('')).toBe(
      'I will build the page first.Done: index.html, style.css and js/app.js.',
    );
    // Every stored change was also reported to the observer, in the same order.
    expect(h.observer.steps).toEqual(h.store.ops.map((o) => o.step));
    // The caller's conversation is not modified.
    expect(h.input.conversation).toEqual([{ role: 'user', content: 'Build me a small site' }]);
  });

  it('completes at once, without steps, when the model answers without tools', async () => {
    const h = harness([[text('Hello! What should I build?'), usage(10, 5)]]);
    expect(await h.run()).toEqual({
      status: 'completed',
      finishReason: 'completed',
      content: 'Hello! What should I build?',
      promptTokens: 10,
      completionTokens: 5,
    });
    expect(h.store.ops).toEqual([]);
  });

  it('creates the step, pending at 0 %, at the first piece of a tool call, before the rest arrives', async () => {
    const args = { filename: 'index.html', content: HTML };
    const h = harness([
      [text('Writing.'), ...toolCall(0, 'call_1', 'write_file', args, 4)],
      [text('Done.')],
    ]);

    await h.run();

    // llm:1:0 is the text, llm:1:1 the call's first piece (id and name), llm:1:2.. its arguments.
    const created = h.log.indexOf('store:create:write_file');
    expect(created).toBeGreaterThan(-1);
    expect(h.log.slice(0, created + 2)).toEqual([
      'llm:1:0',
      'llm:1:1',
      'store:create:write_file',
      'llm:1:2',
    ]);
    expect(h.store.ops[0]).toEqual({
      op: 'create',
      step: {
        id: 1,
        iteration: 1,
        toolCallId: 'call_1',
        toolName: 'write_file',
        toolArguments: {},
        status: 'pending',
        progress: 0,
        error: null,
        startedAt: null,
        finishedAt: null,
      },
    });
    expect(h.observer.steps[0]).toMatchObject({ status: 'pending', progress: 0 });
    // The step runs only after the whole response has arrived.
    const running = h.log.findIndex((entry) => entry.startsWith('store:update:1:running'));
    expect(running).toBeGreaterThan(h.log.findLastIndex((entry) => entry.startsWith('llm:1:')));
  });

  it('raises the progress while the arguments stream in, staying below 100 until the tool has run', async () => {
    const content = 'x'.repeat(8000);
    const h = harness([
      [...toolCall(0, 'call_big', 'write_file', { filename: 'big.html', content }, 10)],
      [text('ok')],
    ]);

    await h.run();

    const updates = h.store.updatesOf(1);
    const streaming = updates.filter((u) => u.step.status === 'pending');
    expect(streaming.length).toBeGreaterThanOrEqual(5);
    const progress = streaming.map((u) => u.step.progress);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]).toBeGreaterThan(progress[i - 1]);
    }
    expect(progress[0]).toBeGreaterThan(0);
    expect(Math.max(...progress)).toBeLessThanOrEqual(90);
    // The filename is shown as soon as it is complete in the streamed text.
    expect(streaming[0].step.toolArguments).toEqual({ filename: 'big.html' });

    const after = updates.filter((u) => u.step.status !== 'pending');
    expect(after.map((u) => [u.step.status, u.step.progress])).toEqual([
      ['running', progress[progress.length - 1]],
      ['completed', 100],
    ]);
    expect(after[0].step.toolArguments).toEqual({ filename: 'big.html', content_bytes: 8000 });
  });

  it('writes progress no more often than progressIntervalMs', async () => {
    const content = 'x'.repeat(8000);
    const h = harness(
      [[...toolCall(0, 'c', 'write_file', { filename: 'big.html', content }, 10)], [text('ok')]],
      {
        progressIntervalMs: 60_000,
      },
    );

    await h.run();

    expect(h.store.updatesOf(1).map((u) => u.step.status)).toEqual(['running', 'completed']);
  });

  it('records parallel tool calls, runs them in index order and answers each call id in order', async () => {
    const [a0, ...aArgs] = toolCall(
      0,
      'call_a',
      'write_file',
      { filename: 'a.txt', content: 'one' },
      3,
    );
    const [b0, ...bArgs] = toolCall(
      1,
      'call_b',
      'edit_file',
      { filename: 'a.txt', old_string: 'one', new_string: 'two' },
      3,
    );
    const c = toolCall(2, 'call_c', 'read_file', { filename: 'a.txt' }, 2);
    const h = harness([
      // Call 1 begins before call 0, and their argument pieces interleave.
      [
        text('Three at once.'),
        b0,
        a0,
        bArgs[0],
        aArgs[0],
        bArgs[1],
        aArgs[1],
        bArgs[2],
        aArgs[2],
        ...c,
        usage(1, 1),
      ],
      [text('Done.')],
    ]);

    expect((await h.run()).finishReason).toBe('completed');

    const steps = h.store.all();
    expect(steps.map((s) => [s.toolCallId, s.status])).toEqual([
      ['call_b', 'completed'],
      ['call_a', 'completed'],
      ['call_c', 'completed'],
    ]);
    const runOrder = h.store.ops.flatMap((o) =>
      o.op === 'update' && o.patch.status === 'running' ? [o.step.toolCallId] : [],
    );
    expect(runOrder).toEqual(['call_a', 'call_b', 'call_c']);
    expect(h.ctx.sandbox.contentOf(TEST_SCOPE, 'a.txt')).toBe('two');

    // The sandbox state rides at the end of the last tool result.
    const [system, user, assistant, ...tools] = h.llm.requests[1].messages;
    expect(system.role).toBe('system');
    expect(user).toEqual({ role: 'user', content: 'Build me a small site' });
    expect(assistant).toEqual({
      role: 'assistant',
      content: 'Three at once.',
      toolCalls: [
        { id: 'call_a', name: 'write_file', arguments: '{"filename":"a.txt","content":"one"}' },
        {
          id: 'call_b',
          name: 'edit_file',
          arguments: '{"filename":"a.txt","old_string":"one","new_string":"two"}',
        },
        { id: 'call_c', name: 'read_file', arguments: '{"filename":"a.txt"}' },
      ],
    });
    expect(tools.map(parseTool)).toEqual([
      { toolCallId: 'call_a', result: { ok: true, filename: 'a.txt', size: 3 } },
      {
        toolCallId: 'call_b',
        result: {
          ok: true,
          filename: 'a.txt',
          size: 3,
          edits: [{ match: 'exact', replacements: 1 }],
          changed_lines: '1| two',
        },
      },
      {
        toolCallId: 'call_c',
        result: {
          ok: true,
          filename: 'a.txt',
          size: 3,
          total_lines: 1,
          start_line: 1,
          end_line: 1,
          content: '1\ttwo',
        },
      },
    ]);
  });

  it('sends an assistant message without text as content null', async () => {
    const h = harness([[...toolCall(0, 'call_l', 'list_files', {})], [text('Empty.')]]);
    await h.run();
    expect(h.llm.requests[1].messages[2]).toEqual({
      role: 'assistant',
      content: null,
      toolCalls: [{ id: 'call_l', name: 'list_files', arguments: '{}' }],
    });
  });

  it('turns a failing tool call into an ok:false tool message and goes on', async () => {
    const h = harness([
      [...toolCall(0, 'call_bad', 'write_file', { filename: '../x', content: 'escape' }, 2)],
      [...toolCall(0, 'call_good', 'write_file', { filename: 'x.html', content: 'fine' })],
      [text('Fixed the path.')],
    ]);

    const outcome = await h.run();

    expect(outcome).toMatchObject({
      status: 'completed',
      finishReason: 'completed',
      content: 'Fixed the path.',
    });
    const [bad, good] = h.store.all();
    expect(bad).toMatchObject({
      toolCallId: 'call_bad',
      status: 'failed',
      progress: 100,
      error: expect.stringMatching(/^Invalid filename: /),
      toolArguments: { filename: '../x', content_bytes: 6 },
    });
    expect(good).toMatchObject({ status: 'completed', progress: 100, error: null });
    const toolMessage = parseTool(h.llm.requests[1].messages[3]);
    expect(toolMessage).toEqual({
      toolCallId: 'call_bad',
      result: { ok: false, error: bad.error },
    });
    expect(h.ctx.sandbox.names(TEST_SCOPE)).toEqual(['x.html']);
  });

  it('answers malformed JSON arguments and an unknown tool with ok:false results and goes on', async () => {
    const broken = '{"filename": "a.html", "content": "<p';
    const h = harness([
      [
        ...toolCall(0, 'call_json', 'write_file', broken, 2),
        ...toolCall(1, 'call_shell', 'run_shell', { cmd: 'rm -rf /' }),
      ],
      [text('Sorry, retrying properly.')],
    ]);

    expect(await h.run()).toMatchObject({ status: 'completed', finishReason: 'completed' });

    const [json, shell] = h.store.all();
    expect(json).toMatchObject({
      toolName: 'write_file',
      status: 'failed',
      progress: 100,
      error: 'Invalid JSON arguments for write_file: expected a JSON object',
      toolArguments: { invalid_json_bytes: broken.length },
    });
    expect(shell).toMatchObject({
      toolName: 'run_shell',
      status: 'failed',
      progress: 100,
      error: expect.stringContaining('Unknown tool "run_shell"'),
      toolArguments: { cmd: 'rm -rf /' },
    });
    const results = h.llm.requests[1].messages.slice(3).map(parseTool);
    expect(results).toEqual([
      { toolCallId: 'call_json', result: { ok: false, error: json.error } },
      { toolCallId: 'call_shell', result: { ok: false, error: shell.error } },
    ]);
    expect(results[1].result.error).toContain('write_file');
    expect(h.ctx.sandbox.names(TEST_SCOPE)).toEqual([]);
  });

  // JSON.parse takes nesting JSON.stringify cannot write back: the loop-detection signature threw
  // "Maximum call stack size exceeded" and ended the turn with a step left pending.
  it('answers a call whose arguments nest 100 000 deep as a failed result, and goes on', async () => {
    const depth = 100_000;
    const nested = `{"filename": "a.txt", "content": ${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const h = harness([[...toolCall(0, 'call_deep', 'write_file', nested)], [text('Sorry.')]]);

    const outcome = await h.run();

    expect(outcome).toMatchObject({ status: 'completed', content: 'Sorry.' });
    expect(parseTool(h.llm.requests[1].messages.at(-1)!)).toEqual({
      toolCallId: 'call_deep',
      result: { ok: false, error: expect.stringMatching(/content/) },
    });
    expect(h.store.all().map((s) => [s.toolCallId, s.status])).toEqual([['call_deep', 'failed']]);
    expect(unfinished(h.store.all())).toEqual([]);
  });

  it('does not call it a loop when the arguments differ', async () => {
    const read = (n: number, filename: string) =>
      toolCall(0, `call_${n}`, 'read_file', { filename });
    const h = harness([
      [...read(1, 'a')],
      [...read(2, 'a')],
      [...read(3, 'b')],
      [...read(4, 'c')],
      [text('ok')],
    ]);
    expect((await h.run()).finishReason).toBe('completed');
    expect(h.store.all().map((s) => s.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
  });

  it('ends cancelled when a checkpoint aborts the run, closing the calls it did not run', async () => {
    const h = harness([
      [
        text('Two files.'),
        ...toolCall(0, 'call_1', 'write_file', { filename: 'one.html', content: '1' }),
        ...toolCall(1, 'call_2', 'write_file', { filename: 'two.html', content: '2' }),
        usage(7, 3),
      ],
      [text('never asked')],
    ]);
    let checkpoints = 0;
    h.input.checkpoint = () => {
      checkpoints += 1;
      h.controller.abort('cancelled');
      return Promise.resolve();
    };

    const outcome = await h.run();

    expect(outcome).toEqual({
      status: 'failed',
      finishReason: 'cancelled',
      content: 'Two files.\n\nCancelled at your request.',
      promptTokens: 7,
      completionTokens: 3,
    });
    expect(checkpoints).toBe(1);
    expect(h.llm.requests).toHaveLength(1);
    expect(h.ctx.sandbox.names(TEST_SCOPE)).toEqual(['one.html']);
    expect(h.store.all().map((s) => [s.status, s.error])).toEqual([
      ['completed', null],
      ['failed', 'not run: cancelled'],
    ]);
  });

  it('ends cancelled when aborted between rounds, without asking the model again', async () => {
    const h = harness([[...toolCall(0, 'call_1', 'list_files', {})], [text('never asked')]]);
    h.input.checkpoint = () => {
      h.controller.abort('cancelled');
      return Promise.resolve();
    };
    expect(await h.run()).toMatchObject({ finishReason: 'cancelled' });
    expect(h.llm.requests).toHaveLength(1);
    expect(h.store.all().map((s) => s.status)).toEqual(['completed']);
  });

  it.each([
    ['cancelled', /^Cancelled/],
    ['time_limit', /^Stopped: .*time limit/],
    ['interrupted', /^Interrupted/],
  ])(
    'ends %s when aborted with that reason while the model is streaming',
    async (reason, ending) => {
      const h = harness([
        [
          text('Working'),
          ...toolCall(0, 'call_1', 'write_file', { filename: 'a.html', content: 'x' }).slice(0, 1),
          { type: 'effect', run: () => setTimeout(() => h.controller.abort(reason), 10) },
          { type: 'hang' },
        ],
      ]);

      const outcome = await h.run();

      expect(outcome).toMatchObject({ status: 'failed', finishReason: reason });
      expect(outcome.content).toMatch(ending);
      expect(h.store.all()).toEqual([
        expect.objectContaining({
          status: 'failed',
          progress: 100,
          error: 'not run: the model response was cut off',
        }),
      ]);
      expect(h.ctx.sandbox.names(TEST_SCOPE)).toEqual([]);
    },
  );

  it('ends provider_error with the provider message when the stream fails', async () => {
    const h = harness([
      [...toolCall(0, 'call_1', 'list_files', {}), usage(50, 5)],
      [
        text('Now the page'),
        ...toolCall(0, 'call_2', 'write_file', { filename: 'a.html', content: 'x' }).slice(0, 1),
        { type: 'fail', error: new LlmError('The LLM provider answered HTTP 502', 'http') },
      ],
    ]);

    const outcome = await h.run();

    expect(outcome).toEqual({
      status: 'failed',
      finishReason: 'provider_error',
      content: 'Failed: The LLM provider answered HTTP 502.',
      promptTokens: 50,
      completionTokens: 5,
    });
    expect(h.store.all().map((s) => [s.toolCallId, s.status, s.error])).toEqual([
      ['call_1', 'completed', null],
      ['call_2', 'failed', 'not run: the model response was cut off'],
    ]);
  });

  it('lets an error that is not the provider’s through, after closing the steps of the response', async () => {
    const h = harness([
      [
        ...toolCall(0, 'call_1', 'list_files', {}).slice(0, 1),
        { type: 'fail', error: new TypeError('bug') },
      ],
    ]);
    await expect(h.run()).rejects.toThrow('bug');
    expect(unfinished(h.store.all())).toEqual([]);
  });

  it('ends provider_error when the stream goes silent for streamIdleMs', async () => {
    const h = harness(
      [
        [
          text('Start'),
          ...toolCall(0, 'call_1', 'write_file', { filename: 'a.html', content: 'x' }, 2).slice(
            0,
            2,
          ),
          { type: 'hang' },
        ],
      ],
      { streamIdleMs: 50 },
    );
    const started = Date.now();

    const outcome = await h.run();

    expect(Date.now() - started).toBeLessThan(2000);
    expect(outcome).toMatchObject({ status: 'failed', finishReason: 'provider_error' });
    expect(outcome.content).toMatch(/^Failed: The LLM provider sent nothing for .+\.$/);
    expect(h.store.all()).toEqual([
      expect.objectContaining({
        status: 'failed',
        error: 'not run: the model response was cut off',
      }),
    ]);
  });

  it('says how long the stream was silent in milliseconds when under a second', async () => {
    const h = harness([[text('Start'), { type: 'hang' }]], { streamIdleMs: 50 });
    const outcome = await h.run();
    expect(outcome.content).toMatch(/sent nothing for 50 ms\.$/);
  });

  it('closes every step of the response when a tool fails for a reason the model cannot fix', async () => {
    const h = harness([
      [
        ...toolCall(0, 'call_1', 'write_file', { filename: 'a.html', content: 'x' }),
        ...toolCall(1, 'call_2', 'write_file', { filename: 'b.html', content: 'y' }),
      ],
    ]);
    h.ctx.sandbox.write = () => Promise.reject(new Error('database connection lost'));

    await expect(h.run()).rejects.toThrow('database connection lost');

    expect(unfinished(h.store.all())).toEqual([]);
    expect(h.store.all().map((s) => s.error)).toEqual([
      'not run: an internal error stopped the run',
      'not run: an internal error stopped the run',
    ]);
  });

  it('records the call id on the step when it arrives after the name', async () => {
    const h = harness([
      [
        { type: 'tool_call', index: 0, name: 'list_files', argumentsDelta: '' },
        { type: 'tool_call', index: 0, id: 'late_id', argumentsDelta: '{}' },
      ],
      [text('done')],
    ]);
    await h.run();
    expect(h.store.all()[0].toolCallId).toBe('late_id');
  });

  it('stops asking the model when the run was aborted before the request went out', async () => {
    const h = harness([[{ type: 'hang' }]], { streamIdleMs: 60_000 });
    h.input.listFiles = async () => {
      h.controller.abort('cancelled');
      return h.ctx.sandbox.list(TEST_SCOPE);
    };
    const started = Date.now();
    const outcome = await h.run();
    expect(outcome.finishReason).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('keeps waiting while the stream is slow but not silent', async () => {
    // Each pause is well inside the idle window even when a loaded machine runs timers late, while the
    // whole stream (5 pauses) lasts longer than the window: only per-chunk waiting passes.
    const pause: ScriptItem = { type: 'sleep', ms: 250 };
    const h = harness(
      [
        [
          text('a'),
          pause,
          text('b'),
          pause,
          text('c'),
          pause,
          text('d'),
          pause,
          text('e'),
          pause,
          text('f'),
        ],
      ],
      {
        streamIdleMs: 1000,
      },
    );
    expect(await h.run()).toMatchObject({ finishReason: 'completed', content: 'abcdef' });
  });

  it('says the sandbox is empty when it is', async () => {
    const h = harness([[text('ok')]]);
    await h.run();
    expect(h.llm.requests[0].messages.at(-1)?.content).toContain('(the sandbox is empty)');
  });

  it('names a call the model sent without an id or a name so every call still gets an answer', async () => {
    const h = harness([[{ type: 'tool_call', index: 0, argumentsDelta: '{}' }], [text('ok')]]);

    await h.run();

    expect(h.store.all()).toEqual([
      expect.objectContaining({
        toolName: '(missing)',
        status: 'failed',
        error: expect.stringContaining('Unknown tool "(missing)"'),
      }),
    ]);
    const [assistant, tool] = h.llm.requests[1].messages.slice(2);
    expect(assistant).toMatchObject({
      toolCalls: [{ id: 'call_1_0', name: '(missing)', arguments: '{}' }],
    });
    expect(parseTool(tool).toolCallId).toBe('call_1_0');
  });
});

const finish = (reason: string): LlmStreamEvent => ({ type: 'finish', reason });
const toolResults = (messages: LlmMessage[]) =>
  messages.filter((m) => m.role === 'tool').map((m) => parseTool(m).result);

describe('AgentLoop, round 2', () => {
  it('does not stop read → edit → read → edit → read of the same file', async () => {
    const read = (n: number) => toolCall(0, `r${n}`, 'read_file', { filename: 'index.html' });
    const edit = (n: number, from: string, to: string) =>
      toolCall(0, `e${n}`, 'edit_file', {
        filename: 'index.html',
        old_string: from,
        new_string: to,
      });
    const h = harness([
      [...read(1)],
      [...edit(1, 'one', 'two')],
      [...read(2)],
      [...edit(2, 'two', 'three')],
      [...read(3)],
      [text('Done.')],
    ]);
    h.ctx.sandbox.seed(TEST_SCOPE, 'index.html', '<p>one</p>');

    const outcome = await h.run();

    expect(outcome).toMatchObject({ status: 'completed', finishReason: 'completed' });
    expect(h.ctx.sandbox.contentOf(TEST_SCOPE, 'index.html')).toBe('<p>three</p>');
    expect(h.store.all().map((s) => s.status)).toEqual(Array(5).fill('completed'));
  });

  it('warns once at the fourth identical call and result, and stops when the call comes again', async () => {
    const same = (n: number) => toolCall(0, `call_${n}`, 'read_file', { filename: 'index.html' });
    const h = harness([
      [text('Reading.'), ...same(1)],
      [...same(2)],
      [...same(3)],
      [...same(4)],
      [
        ...same(5),
        ...toolCall(1, 'call_after', 'write_file', { filename: 'x.html', content: 'x' }),
      ],
      [text('never asked')],
    ]);
    h.ctx.sandbox.seed(TEST_SCOPE, 'index.html', '<p>hi</p>');

    const outcome = await h.run();

    expect(outcome).toMatchObject({
      status: 'failed',
      finishReason: 'stuck_loop',
      content: expect.stringMatching(/^Reading\.\n\nStopped: the model kept repeating/),
    });
    expect(h.llm.requests).toHaveLength(5);
    const results = toolResults(h.llm.requests[4].messages);
    expect(results.map((r) => 'warning' in r)).toEqual([false, false, false, true]);
    expect(results[3]).toMatchObject({ ok: true, warning: expect.stringMatching(/same call/) });
    expect(h.store.all().map((s) => [s.toolCallId, s.status])).toEqual([
      ['call_1', 'completed'],
      ['call_2', 'completed'],
      ['call_3', 'completed'],
      ['call_4', 'completed'],
      ['call_5', 'failed'],
      ['call_after', 'failed'],
    ]);
    expect(h.store.all()[4]).toMatchObject({
      progress: 100,
      error: expect.stringMatching(/after being warned/),
      toolArguments: { filename: 'index.html' },
    });
    expect(unfinished(h.store.all())).toEqual([]);
    expect(h.ctx.sandbox.contentOf(TEST_SCOPE, 'x.html')).toBeUndefined();
  });

  it('goes on after the warning when the model changes its approach', async () => {
    const same = (n: number) => toolCall(0, `call_${n}`, 'list_files', {});
    const h = harness([
      [...same(1), ...toolCall(1, 'c2', 'list_files', {}), ...toolCall(2, 'c3', 'list_files', {})],
      [...same(4)],
      [...toolCall(0, 'w', 'write_file', { filename: 'index.html', content: '<p>ok</p>' })],
      [text('Done.')],
    ]);
    expect(await h.run()).toMatchObject({ finishReason: 'completed' });
    expect(h.ctx.sandbox.contentOf(TEST_SCOPE, 'index.html')).toBe('<p>ok</p>');
  });

  it('asks for at most maxOutputTokens and uses the session model in every request', async () => {
    const h = harness([[...toolCall(0, 'c1', 'list_files', {})], [text('ok')]], {
      maxOutputTokens: 4096,
      model: 'model-b',
    });
    await h.run();
    expect(h.llm.requests.map((r) => [r.model, r.maxTokens])).toEqual([
      ['model-b', 4096],
      ['model-b', 4096],
    ]);
  });

  it('answers a call cut off by the length limit with a result that says so, writing nothing', async () => {
    const cut = '{"filename": "index.html", "content": "<!doctype html><h1>Very long';
    const h = harness([
      [...toolCall(0, 'call_cut', 'write_file', cut), finish('length')],
      [text('Understood.')],
    ]);

    await h.run();

    const [result] = toolResults(h.llm.requests[1].messages);
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/length limit/) });
    expect(String(result.error)).toMatch(/edit_file/);
    expect(String(result.error)).not.toMatch(/invalid json/i);
    expect(h.ctx.sandbox.names(TEST_SCOPE)).toEqual([]);
    expect(h.store.all()[0]).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/length limit/),
    });
  });

  it('makes one last request without tools at the round limit, so the turn ends with a summary', async () => {
    const round = (n: number) => [
      ...toolCall(0, `call_${n}`, 'write_file', { filename: `p${n}.html`, content: 'x' }),
      usage(10, 1),
    ];
    const h = harness([round(1), round(2), [text('Wrote p1 and p2; p3 is left.'), usage(10, 1)]], {
      maxIterations: 2,
    });

    const outcome = await h.run();

    expect(outcome).toEqual({
      status: 'failed',
      finishReason: 'max_iterations',
      content:
        'Wrote p1 and p2; p3 is left.\n\nStopped: reached the limit of 2 tool-calling rounds (AGENT_MAX_ITERATIONS).',
      promptTokens: 30,
      completionTokens: 3,
    });
    expect(h.llm.requests).toHaveLength(3);
    expect(h.llm.requests[2].tools).toEqual([]);
    expect(h.llm.requests[1].tools.length).toBeGreaterThan(0);
    expect(h.llm.requests[2].messages.at(-1)).toEqual({
      role: 'user',
      content: expect.stringMatching(/all 2 tool-calling rounds.*summary/s),
    });
    expect(h.ctx.sandbox.names(TEST_SCOPE)).toEqual(['p1.html', 'p2.html']);
    expect(unfinished(h.store.all())).toEqual([]);
  });

  it('closes, without running, a call the model makes in the last request anyway', async () => {
    const round = (n: number) => [
      ...toolCall(0, `call_${n}`, 'write_file', { filename: `p${n}.html`, content: 'x' }),
    ];
    const h = harness([round(1), round(2)], { maxIterations: 1 });
    expect(await h.run()).toMatchObject({ finishReason: 'max_iterations' });
    expect(h.ctx.sandbox.names(TEST_SCOPE)).toEqual(['p1.html']);
    expect(h.store.all().map((s) => [s.toolCallId, s.status])).toEqual([
      ['call_1', 'completed'],
      ['call_2', 'failed'],
    ]);
    expect(unfinished(h.store.all())).toEqual([]);
  });

  it('ends a turn past maxTokensPerTurn as budget, keeping its files', async () => {
    const h = harness(
      [
        [...toolCall(0, 'c1', 'write_file', { filename: 'a.html', content: 'a' }), usage(900, 200)],
        [text('never asked')],
      ],
      { maxTokensPerTurn: 1000 },
    );

    const outcome = await h.run();

    expect(outcome).toMatchObject({
      status: 'failed',
      finishReason: 'budget',
      content: expect.stringMatching(/more than 1000 tokens \(AGENT_MAX_TOKENS_PER_TURN\)/),
      promptTokens: 900,
      completionTokens: 200,
    });
    expect(h.llm.requests).toHaveLength(1);
    expect(h.ctx.sandbox.contentOf(TEST_SCOPE, 'a.html')).toBe('a');
  });

  it('keeps the system message identical across rounds and puts the sandbox state in the last message', async () => {
    const h = harness([
      [...toolCall(0, 'c1', 'write_file', { filename: 'index.html', content: '<h1>Hi</h1>' })],
      [...toolCall(0, 'c2', 'delete_file', { filename: 'notes.txt' })],
      [text('Done.')],
    ]);
    h.ctx.sandbox.seed(TEST_SCOPE, 'notes.txt', 'todo');

    await h.run();

    const systems = h.llm.requests.map((r) => r.messages[0]);
    expect(systems[0].role).toBe('system');
    expect(systems.every((m) => m.content === systems[0].content)).toBe(true);
    expect(systems[0].content).not.toContain('bytes');
    const listings = h.llm.requests.map((r) => r.messages.at(-1)!);
    // The user's own message in the first round, the last tool result after that: never a message of its own.
    expect(listings.map((m) => m.role)).toEqual(['user', 'tool', 'tool']);
    expect(listings[0].content).toMatch(/^Build me a small site\n\n<environment_details>\n/);
    expect(listings[0].content).toContain('(4 bytes in all):\n- notes.txt (4 bytes)');
    expect(listings[1].content).toContain(
      '(15 bytes in all):\n- index.html (11 bytes)\n- notes.txt',
    );
    expect(listings[2].content).toContain('(11 bytes in all):\n- index.html (11 bytes)');
    // The listing is not kept in the conversation: the next request holds only the newest one.
    expect(
      h.llm.requests[2].messages.filter((m) => m.content?.includes('Files in the sandbox now')),
    ).toHaveLength(1);
  });

  it('asks once to write the files when a reply puts the code in chat and changed no file', async () => {
    const chat = 'Here is your page:\n```html\n<!doctype html><h1>Hi</h1>\n```';
    const h = harness([
      [text(chat)],
      [...toolCall(0, 'w', 'write_file', { filename: 'index.html', content: '<h1>Hi</h1>' })],
      [text('Written. Again:\n```css\nh1{}\n```')],
    ]);

    const outcome = await h.run();

    expect(outcome).toMatchObject({ status: 'completed', finishReason: 'completed' });
    expect(h.llm.requests).toHaveLength(3);
    const second = h.llm.requests[1].messages;
    expect(second.at(-2)).toEqual({ role: 'assistant', content: chat });
    expect(second.at(-1)).toEqual({
      role: 'user',
      content: expect.stringMatching(/write_file[\s\S]*<environment_details>/),
    });
    expect(h.ctx.sandbox.contentOf(TEST_SCOPE, 'index.html')).toBe('<h1>Hi</h1>');
  });

  it('does not ask again for files when the model answers in chat a second time', async () => {
    const chat = '```js\nalert(1)\n```';
    const h = harness([[text(chat)], [text(chat)]]);
    expect(await h.run()).toMatchObject({ finishReason: 'completed' });
    expect(h.llm.requests).toHaveLength(2);
  });

  it('ends a text-only reply without code at once', async () => {
    const h = harness([[text('Which colours do you like?')]]);
    await h.run();
    expect(h.llm.requests).toHaveLength(1);
  });

  it('retries a round whose stream dropped, then one answered 429 after its Retry-After', async () => {
    const h = harness(
      [
        [text('Half'), { type: 'fail', error: new LlmError('stream failed', 'connection') }],
        [{ type: 'fail', error: new LlmError('HTTP 429', 'http', 429, 50) }],
        [text('Whole answer.')],
      ],
      { roundRetries: 2, retryBaseMs: 10 },
    );
    const outcome = await h.run();
    expect(outcome).toMatchObject({ finishReason: 'completed', content: 'Whole answer.' });
    expect(h.llm.requests).toHaveLength(3);
  });

  it('fails the turn as provider_error once the round retries are used up', async () => {
    const drop = [{ type: 'fail', error: new LlmError('stream failed', 'connection') } as const];
    const h = harness([drop, drop, drop, [text('never asked')]], {
      roundRetries: 2,
      retryBaseMs: 1,
    });
    expect(await h.run()).toMatchObject({ finishReason: 'provider_error' });
    expect(h.llm.requests).toHaveLength(3);
  });

  it('does not retry other provider errors', async () => {
    const h = harness([[{ type: 'fail', error: new LlmError('HTTP 500', 'http', 500) }]], {
      roundRetries: 2,
      retryBaseMs: 1,
    });
    expect(await h.run()).toMatchObject({ finishReason: 'provider_error' });
    expect(h.llm.requests).toHaveLength(1);
  });

  it('turns older write contents and read results into stubs to stay under contextTokens', async () => {
    const big = 'x'.repeat(8000);
    const h = harness(
      [
        [...toolCall(0, 'w1', 'write_file', { filename: 'a.html', content: big })],
        [...toolCall(0, 'r1', 'read_file', { filename: 'a.html' })],
        [...toolCall(0, 'w2', 'write_file', { filename: 'b.html', content: 'small' })],
        [text('Done.')],
      ],
      {
        // Room for the system prompt (at the loop's 4 characters a token) and 1 500 tokens more.
        contextTokens: Math.ceil(systemPrompt().length / 4) + 1500,
        conversation: [
          { role: 'user', content: 'earlier question ' + 'y'.repeat(4000) },
          { role: 'assistant', content: 'earlier answer' },
          { role: 'user', content: 'Build me a small site' },
        ],
      },
    );

    await h.run();

    const last = h.llm.requests[3].messages;
    // Earlier turns went first; this turn's user message stays.
    expect(last.some((m) => m.content?.startsWith('earlier question'))).toBe(false);
    expect(last[1]).toEqual({ role: 'user', content: 'Build me a small site' });
    const write = last.find((m) => m.role === 'assistant' && m.toolCalls?.[0].id === 'w1');
    expect(
      JSON.parse((write as { toolCalls: { arguments: string }[] }).toolCalls[0].arguments),
    ).toEqual({
      filename: 'a.html',
      content: expect.stringMatching(/8000 characters omitted/),
    });
    const readResult = last.find((m) => m.role === 'tool' && m.toolCallId === 'r1');
    expect(readResult?.content).toMatch(/omitted to save context/);
    // Every call keeps its result.
    const ids = last.flatMap((m) =>
      m.role === 'assistant' ? (m.toolCalls ?? []).map((c) => c.id) : [],
    );
    const answered = last.flatMap((m) => (m.role === 'tool' ? [m.toolCallId] : []));
    expect(answered).toEqual(ids);
    // The request the model saw first was not shortened: it fitted.
    expect(h.llm.requests[0].messages.some((m) => m.content?.startsWith('earlier question'))).toBe(
      true,
    );
    expect(h.ctx.sandbox.contentOf(TEST_SCOPE, 'a.html')).toBe(big);
  });

  it('compacts and retries once when the provider says the context is too long', async () => {
    const tooLong = () =>
      ({
        type: 'fail',
        error: new LlmError('context length exceeded', 'context_length', 400),
      }) as const;
    const h = harness([
      [...toolCall(0, 'w1', 'write_file', { filename: 'a.html', content: 'z'.repeat(6000) })],
      [tooLong()],
      [text('Done.')],
    ]);
    expect(await h.run()).toMatchObject({ finishReason: 'completed' });
    expect(h.llm.requests).toHaveLength(3);
    expect(JSON.stringify(h.llm.requests[1].messages)).toContain('z'.repeat(6000));
    expect(JSON.stringify(h.llm.requests[2].messages)).not.toContain('z'.repeat(6000));
  });
});
