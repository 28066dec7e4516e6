import type { FileListing } from '../../sandbox/sandbox.service.js';
import { LlmError, type LlmClient, type LlmMessage, type LlmToolCall } from '../llm/llm-client.js';
import type { ToolContext } from '../tools/agent-tool.js';
import { parseArguments, type ToolRegistry } from '../tools/tool-registry.js';
import { partialFilename, streamingProgress } from './progress.js';
import type {
  FinishReason,
  RunObserver,
  TurnOutcome,
  StepState,
  StepStore,
  StopReason,
} from './run-ports.js';
import { systemPrompt } from './system-prompt.js';

export interface LoopInput {
  llm: LlmClient;
  tools: ToolRegistry;
  toolContext: ToolContext;
  steps: StepStore;
  observer: RunObserver;
  /** Earlier messages within the budget, then this turn's user message. */
  conversation: LlmMessage[];
  listFiles(): Promise<FileListing>;
  maxIterations: number;
  /** Aborted with a `StopReason` on cancel, time limit or shutdown. */
  signal: AbortSignal;
  /** Called between steps: keeps the run alive and may abort `signal` when a cancel was asked for. */
  checkpoint(): Promise<void>;
  streamIdleMs: number;
  /** Least time between two progress writes of one step. */
  progressIntervalMs?: number;
}

/** How often the same call with the same arguments may run before the loop calls the model stuck. */
const MAX_IDENTICAL_CALLS = 2;

const ENDINGS: Record<
  Exclude<FinishReason, 'completed'>,
  (input: LoopInput, detail: string) => string
> = {
  max_iterations: (i) =>
    `Stopped: reached the limit of ${i.maxIterations} tool-calling rounds (AGENT_MAX_ITERATIONS).`,
  stuck_loop: () => 'Stopped: the model kept repeating the same tool call with the same arguments.',
  provider_error: (_i, detail) => `Failed: ${detail}.`,
  error: () => 'Failed: an internal error stopped the run.',
  cancelled: () => 'Cancelled at your request.',
  time_limit: () => 'Stopped: the run reached its time limit (AGENT_RUN_TIMEOUT_MS).',
  interrupted: () => 'Interrupted by shutdown: the server running this turn stopped.',
};

interface StreamedCall {
  index: number;
  id: string;
  name: string;
  args: string;
  step?: StepState;
  lastWrite: number;
}

const stopReason = (signal: AbortSignal): StopReason =>
  (['cancelled', 'time_limit', 'interrupted'] as const).find((r) => r === signal.reason) ??
  'cancelled';

/**
 * One agent turn: call the model (streamed), record and run the tools it asks for, feed the results back,
 * and repeat until the model answers without tools or a limit stops it. Every tool call gets a step row and
 * a tool result; the outcome says how the turn ended.
 */
export class AgentLoop {
  private readonly texts: string[] = [];
  private promptTokens = 0;
  private completionTokens = 0;
  private readonly callCounts = new Map<string, number>();

  constructor(private readonly input: LoopInput) {}

  async run(): Promise<TurnOutcome> {
    const { input } = this;
    const conversation = [...input.conversation];
    try {
      for (let iteration = 1; ; iteration++) {
        if (input.signal.aborted) {
          return this.outcome(stopReason(input.signal));
        }
        if (iteration > input.maxIterations) {
          return this.outcome('max_iterations');
        }
        const system: LlmMessage = {
          role: 'system',
          content: systemPrompt(await input.listFiles()),
        };
        const { text, calls } = await this.streamResponse([system, ...conversation], iteration);
        if (text) {
          this.texts.push(text);
        }
        if (calls.length === 0) {
          return this.outcome('completed');
        }
        conversation.push({
          role: 'assistant',
          content: text || null,
          toolCalls: calls.map(toLlmCall),
        });
        const ending = await this.runTools(calls, conversation);
        if (ending) {
          return this.outcome(ending);
        }
      }
    } catch (err) {
      if (err instanceof LlmError) {
        return input.signal.aborted
          ? this.outcome(stopReason(input.signal))
          : this.outcome('provider_error', err.message);
      }
      throw err;
    }
  }

  /** Streams one model response, creating each tool call's step as soon as the call begins. */
  private async streamResponse(messages: LlmMessage[], iteration: number) {
    const { input } = this;
    const request = new AbortController();
    const onAbort = () => request.abort(input.signal.reason);
    input.signal.addEventListener('abort', onAbort, { once: true });
    if (input.signal.aborted) {
      onAbort();
    }
    // The idle clock measures the provider only: it does not run while this side writes steps.
    // One coarse watchdog per response instead of re-arming a timer for every token.
    let idle = false;
    let busy = false;
    let lastEvent = Date.now();
    const watchdog = setInterval(
      () => {
        if (!busy && Date.now() - lastEvent >= input.streamIdleMs) {
          idle = true;
          request.abort('idle');
        }
      },
      Math.max(10, Math.min(1000, input.streamIdleMs / 5)),
    );
    let text = '';
    const calls = new Map<number, StreamedCall>();
    try {
      for await (const event of input.llm.stream({
        messages,
        tools: input.tools.specs(),
        signal: request.signal,
      })) {
        busy = true;
        switch (event.type) {
          case 'text':
            text += event.delta;
            input.observer.delta(event.delta);
            break;
          case 'usage':
            this.promptTokens += event.promptTokens;
            this.completionTokens += event.completionTokens;
            break;
          case 'tool_call': {
            const call = calls.get(event.index) ?? {
              index: event.index,
              id: '',
              name: '',
              args: '',
              lastWrite: 0,
            };
            calls.set(event.index, call);
            call.id ||= event.id ?? '';
            call.name += call.step ? '' : (event.name ?? '');
            call.args += event.argumentsDelta ?? '';
            await this.trackStreamingCall(call, iteration);
            break;
          }
        }
        lastEvent = Date.now();
        busy = false;
      }
      // The SDK ends an aborted stream quietly; an aborted response is never a complete one.
      if (request.signal.aborted) {
        throw new LlmError('The request to the LLM provider was aborted', 'aborted');
      }
    } catch (err) {
      await this.failUnfinished([...calls.values()], 'not run: the model response was cut off');
      throw idle
        ? new LlmError(
            `The LLM provider sent nothing for ${formatDuration(input.streamIdleMs)}`,
            'timeout',
          )
        : err;
    } finally {
      clearInterval(watchdog);
      input.signal.removeEventListener('abort', onAbort);
    }
    const ordered = [...calls.values()].sort((a, b) => a.index - b.index);
    for (const call of ordered) {
      call.id ||= `call_${iteration}_${call.index}`;
      call.name ||= '(missing)';
      call.step ??= await this.createStep(call, iteration);
    }
    return { text, calls: ordered };
  }

  private async trackStreamingCall(call: StreamedCall, iteration: number): Promise<void> {
    if (!call.step) {
      if (call.name) {
        call.step = await this.createStep(call, iteration);
        call.lastWrite = Date.now();
      }
      return;
    }
    const now = Date.now();
    if (now - call.lastWrite < (this.input.progressIntervalMs ?? 250)) {
      return;
    }
    call.lastWrite = now;
    const progress = streamingProgress(Buffer.byteLength(call.args, 'utf8'));
    // Once the name is known there is nothing to look for in the megabytes that follow.
    const filename =
      call.step.toolArguments.filename === undefined ? partialFilename(call.args) : undefined;
    const toolArguments =
      filename !== undefined ? { ...call.step.toolArguments, filename } : call.step.toolArguments;
    // Some servers send a call's id after its name.
    const toolCallId = call.step.toolCallId ?? (call.id || null);
    if (
      progress !== call.step.progress ||
      toolArguments !== call.step.toolArguments ||
      toolCallId !== call.step.toolCallId
    ) {
      call.step = await this.updateStep(call.step, { progress, toolArguments, toolCallId });
    }
  }

  private async createStep(call: StreamedCall, iteration: number): Promise<StepState> {
    const filename = partialFilename(call.args);
    const step = await this.input.steps.create({
      iteration,
      toolCallId: call.id || null,
      toolName: call.name.slice(0, 64),
      toolArguments: filename === undefined ? {} : { filename },
      status: 'pending',
      progress: 0,
      error: null,
      startedAt: null,
      finishedAt: null,
    });
    this.input.observer.step(step);
    return step;
  }

  private async updateStep(
    step: StepState,
    patch: Parameters<StepStore['update']>[1],
  ): Promise<StepState> {
    const updated = await this.input.steps.update(step, patch);
    this.input.observer.step(updated);
    return updated;
  }

  /** Runs the calls in the order the model made them; returns why the turn must stop, if it must. */
  private async runTools(
    calls: StreamedCall[],
    conversation: LlmMessage[],
  ): Promise<FinishReason | null> {
    const { input } = this;
    for (const [i, call] of calls.entries()) {
      const step = call.step!;
      const parsed = parseArguments(call.args);
      const toolArguments = parsed
        ? input.tools.summarize(call.name, parsed)
        : { invalid_json_bytes: Buffer.byteLength(call.args, 'utf8') };
      if (input.signal.aborted) {
        await this.failUnfinished(calls.slice(i), `not run: ${stopReason(input.signal)}`);
        return stopReason(input.signal);
      }
      const signature = `${call.name}\u0000${canonicalArguments(parsed, call.args)}`;
      const seen = (this.callCounts.get(signature) ?? 0) + 1;
      this.callCounts.set(signature, seen);
      if (seen > MAX_IDENTICAL_CALLS) {
        call.step = await this.updateStep(step, { toolArguments });
        await this.failUnfinished(calls.slice(i), 'not run: the same call was already made twice');
        return 'stuck_loop';
      }
      call.step = await this.updateStep(step, {
        status: 'running',
        toolArguments,
        startedAt: new Date(),
      });
      let result;
      try {
        result = await input.tools.execute(call.name, call.args, this.contextFor(step.id));
      } catch (err) {
        // Not a tool failure the model can act on (the database went away): close every step, then stop.
        await this.failUnfinished(calls.slice(i), 'not run: an internal error stopped the run');
        throw err;
      }
      call.step = await this.updateStep(call.step, {
        status: result.ok ? 'completed' : 'failed',
        progress: 100,
        error: result.ok ? null : result.error,
        finishedAt: new Date(),
        version: result.ok && typeof result.version === 'number' ? result.version : null,
      });
      conversation.push({ role: 'tool', toolCallId: call.id, content: JSON.stringify(result) });
      await input.checkpoint();
    }
    return null;
  }

  /** The tool context of one call: a change it makes is credited to its step as well as the turn. */
  private contextFor(stepId: number): ToolContext {
    const { toolContext } = this.input;
    const origin = toolContext.scope.origin;
    return origin
      ? { ...toolContext, scope: { ...toolContext.scope, origin: { ...origin, stepId } } }
      : toolContext;
  }

  /** Closes the steps of calls that will not run, so none stays pending. */
  private async failUnfinished(calls: StreamedCall[], error: string): Promise<void> {
    for (const call of calls) {
      if (call.step && (call.step.status === 'pending' || call.step.status === 'running')) {
        call.step = await this.updateStep(call.step, {
          status: 'failed',
          progress: 100,
          error,
          finishedAt: new Date(),
        });
      }
    }
  }

  private outcome(reason: FinishReason, detail = ''): TurnOutcome {
    const parts = [...this.texts];
    if (reason !== 'completed') {
      parts.push(ENDINGS[reason](this.input, detail));
    }
    return {
      status: reason === 'completed' ? 'completed' : 'failed',
      finishReason: reason,
      content: parts.join('\n\n'),
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
    };
  }
}

/** `1500` → "2 s", `300` → "300 ms". */
const formatDuration = (ms: number) => (ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`);

/**
 * The arguments as one text, so the same call counts as the same however it is spaced. Nesting that
 * JSON.parse accepts can be too deep for JSON.stringify; the raw text then stands in for it.
 */
function canonicalArguments(parsed: Record<string, unknown> | null, raw: string): string {
  try {
    return JSON.stringify(parsed ?? raw);
  } catch {
    return raw;
  }
}

const toLlmCall = (c: StreamedCall): LlmToolCall => ({ id: c.id, name: c.name, arguments: c.args });
