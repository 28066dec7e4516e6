import type { FileListing } from '../../sandbox/sandbox.service.js';
import { LlmError, type LlmClient, type LlmMessage, type LlmToolCall } from '../llm/llm-client.js';
import type { ModelProfiles } from '../../models/model-profiles.js';
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
  PlanItem,
} from './run-ports.js';
import {
  CONDENSE_EVERY_ROUNDS,
  countRounds,
  MIN_ROUNDS_TO_CONDENSE,
  SUMMARY_MAX_CHARS,
  SUMMARY_MAX_TOKENS,
  SUMMARY_REQUEST,
  summaryMessage,
} from './condense.js';
import { estimateTokens, fitContext } from './context-window.js';
import { environmentDetails, withEnvironment } from './environment.js';
import { repairArguments } from './json-repair.js';
import { mergeRoles } from './merge-roles.js';
import { StuckDetector, STUCK_WARNING } from './stuck-detector.js';
import { systemPrompt } from './system-prompt.js';
import { extractTextToolCalls } from './text-tool-calls.js';
import { MarkupHoldback } from './markup-holdback.js';

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
  /** The session's model; absent = the provider client's default. */
  model?: string;
  /** `max_tokens` of each response. */
  maxOutputTokens?: number;
  /** Prompt + completion tokens the turn may spend; past it the turn ends `budget`. */
  maxTokensPerTurn?: number;
  /** Estimated tokens a request may hold before older tool contents become stubs. */
  contextTokens?: number;
  /** Retries of a round after a dropped stream or a 429. */
  roundRetries?: number;
  /** First back-off between those retries (doubled each time) when the provider names no `Retry-After`. */
  retryBaseMs?: number;
  /**
   * The model's profile (configured and learned): its context size and output limit replace
   * `contextTokens` and `maxOutputTokens`, and a context size a provider names is learned into it.
   */
  profiles?: ModelProfiles;
  /**
   * When a request passes the context budget, the model first summarises this turn's older rounds
   * (one request without tools) and the summary replaces them; stubs and drops still follow.
   */
  condense?: boolean;
}

/** Longest `Retry-After` honoured; a longer one fails the turn rather than holding it. */
const MAX_RETRY_WAIT_MS = 30_000;

const TRUNCATED_CALL =
  'Not run: your output hit its length limit (max_tokens) before the arguments of this call were ' +
  'complete, so nothing was written. Write the file in smaller parts: a shorter write_file first, ' +
  'then add the rest with edit_file; for a change to an existing file, use edit_file.';

const CODE_IN_CHAT =
  'You wrote the code in your reply, but no file in the sandbox was changed, and the user only sees ' +
  'the files. Write the files now with the tools (write_file for new files, edit_file for changes), ' +
  'then answer with a short summary.';

const ANNOUNCED_WORK =
  'You said what you would do, but you called no tool, so nothing in the sandbox changed. Do it now ' +
  'with the tools (write_file for new files, edit_file for changes); answer in text only when the ' +
  'work is done.';

const THOUGHT_ONLY =
  'Your previous answer hit its length limit while you were still thinking, before you wrote any ' +
  'answer or tool call. Think less: act now with the tools, in small steps.';

const LAST_ROUND = (n: number) =>
  `You have used all ${n} tool-calling rounds of this turn and cannot call tools any more. Answer ` +
  'the user now with a short summary: what was done, and what is left to do.';

/** A fenced block of HTML, CSS or JavaScript (or an untagged one that is a page). */
const CODE_BLOCK =
  /```[ \t]*(?:html?|css|js|javascript|mjs)\b|```[ \t]*\r?\n\s*<(?:!doctype|html)/i;

/** A reply that says it will now do the work ("I'll create index.html now."), without doing it. */
const ANNOUNCES_WORK =
  /\b(?:I'll|I will|I am going to|I'm going to|let me(?! know)|let's|now I(?:'ll| will)?)\b[^.!?\n]{0,80}?\b(?:create|write|build|add|make|update|edit|implement|generate|set up|start|fix|change|design|put together)\b/i;

/** Stored reasoning is kept for display, cut to this many characters. */
const MAX_REASONING_CHARS = 64 * 1024;

/** Tools whose success changes a file, for sandboxes that report no version. */
const CHANGING_TOOLS = new Set(['write_file', 'edit_file', 'delete_file', 'move_file']);

const ENDINGS: Record<
  Exclude<FinishReason, 'completed'>,
  (input: LoopInput, detail: string) => string
> = {
  max_iterations: (i) =>
    `Stopped: reached the limit of ${i.maxIterations} tool-calling rounds (AGENT_MAX_ITERATIONS).`,
  stuck_loop: () =>
    'Stopped: the model kept repeating the same tool call with the same result after being warned.',
  budget: (i) =>
    `Stopped: this turn used more than ${i.maxTokensPerTurn} tokens (AGENT_MAX_TOKENS_PER_TURN); the files written so far are kept.`,
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
  /** What repairing the arguments fixed (trailing commas, double encoding), for the step. */
  repaired?: string;
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
  private readonly reasonings: string[] = [];
  private plan: PlanItem[] | null = null;
  private tokensEstimated = false;
  private promptTokens = 0;
  private completionTokens = 0;
  private readonly stuck = new StuckDetector();
  private changedFiles = false;
  /** The iteration of the last summary request (made or failed), so one comes at most every few rounds. */
  private lastCondensed = -Infinity;
  private contextSummary: string | null = null;
  /** The system message, built once: identical across rounds so providers can cache the prefix. */
  private readonly system: LlmMessage = { role: 'system', content: systemPrompt() };
  /** Where this turn starts in the request (after the system message and earlier turns). */
  private readonly turnStart: number;

  constructor(private readonly input: LoopInput) {
    // The system message, then the earlier turns: this turn's user message is the conversation's last.
    this.turnStart = input.conversation.length;
  }

  async run(): Promise<TurnOutcome> {
    const { input } = this;
    const conversation = [...input.conversation];
    let nudged = false;
    let thoughtOnly = false;
    // The latest round (its call and results) is never shortened: the model is working on it.
    let latestRound = conversation.length;
    try {
      for (let iteration = 1; ; iteration++) {
        if (input.signal.aborted) {
          return this.outcome(stopReason(input.signal));
        }
        if (this.overBudget()) {
          return this.outcome('budget');
        }
        if (iteration > input.maxIterations) {
          return await this.lastRound(conversation, iteration);
        }
        latestRound = await this.condense(conversation, iteration, latestRound);
        const { text, calls, finish, reasoning, reasoningField } = await this.request(
          conversation,
          iteration,
          latestRound,
        );
        if (text) {
          this.texts.push(text);
        }
        if (calls.length === 0 && !text && finish === 'length') {
          // All of its output went into thinking: ask once more, then fail rather than end empty.
          if (thoughtOnly) {
            return this.outcome(
              'provider_error',
              'the model used its whole output (AGENT_MAX_OUTPUT_TOKENS) on reasoning twice and wrote no answer',
            );
          }
          thoughtOnly = true;
          conversation.push({ role: 'user', content: THOUGHT_ONLY });
          continue;
        }
        if (calls.length === 0) {
          // Local models often "write the code in chat" or announce work without doing it: one nudge.
          const nudge = CODE_BLOCK.test(text)
            ? CODE_IN_CHAT
            : ANNOUNCES_WORK.test(text)
              ? ANNOUNCED_WORK
              : null;
          if (nudge && !nudged && !this.changedFiles) {
            nudged = true;
            conversation.push({ role: 'assistant', content: text });
            conversation.push({ role: 'user', content: nudge });
            continue;
          }
          return this.outcome('completed');
        }
        latestRound = conversation.length;
        conversation.push({
          role: 'assistant',
          content: text || null,
          toolCalls: calls.map(toLlmCall),
          // DeepSeek's thinking mode answers 400 unless this round's reasoning comes back unchanged.
          ...(reasoningField === 'reasoning_content' ? { reasoningContent: reasoning } : {}),
        });
        const ending = await this.runTools(calls, conversation, finish === 'length');
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

  private overBudget(): boolean {
    const limit = this.input.maxTokensPerTurn;
    return limit !== undefined && this.promptTokens + this.completionTokens > limit;
  }

  /**
   * When the request would pass the context budget and this turn has older rounds enough to matter:
   * the model summarises them (one request, no tools, nothing streamed) and the summary replaces them.
   * A failed summary leaves the conversation as it was (stubs and drops do the rest). Returns the
   * latest round's index in `conversation`, moved when rounds before it were replaced.
   */
  private async condense(
    conversation: LlmMessage[],
    iteration: number,
    latestRound: number,
  ): Promise<number> {
    if (!this.input.condense || iteration - this.lastCondensed < CONDENSE_EVERY_ROUNDS) {
      return latestRound;
    }
    const { limit, maxTokens } = this.budget();
    // This turn's user message is the one before `turnStart`; its rounds follow it.
    const older = conversation.slice(this.turnStart, latestRound);
    if (
      !Number.isFinite(limit) ||
      countRounds(older) < MIN_ROUNDS_TO_CONDENSE ||
      estimateTokens([this.system, ...conversation]) <= limit
    ) {
      return latestRound;
    }
    this.lastCondensed = iteration;
    const request = conversation[this.turnStart - 1];
    const summary = await this.summarise([request, ...older], limit, maxTokens);
    if (!summary) {
      return latestRound;
    }
    this.contextSummary = summary;
    conversation.splice(this.turnStart, older.length, summaryMessage(summary));
    return this.turnStart + 1;
  }

  /** The summary request: its tokens count for the turn; its text is never streamed to clients. */
  private async summarise(
    part: LlmMessage[],
    limit: number,
    maxOutput: number | undefined,
  ): Promise<string | null> {
    const { input } = this;
    const full = [this.system, ...part, { role: 'user' as const, content: SUMMARY_REQUEST }];
    // Earlier turns stay out; if the part alone is still too large, its bulky contents become stubs.
    const messages = mergeRoles(
      fitContext(full, limit, { turnStart: 1, keepFrom: full.length - 1 }),
    );
    const request = new AbortController();
    const onAbort = () => request.abort(input.signal.reason);
    input.signal.addEventListener('abort', onAbort, { once: true });
    if (input.signal.aborted) {
      onAbort();
    }
    const idle = setTimeout(() => request.abort('idle'), input.streamIdleMs);
    let text = '';
    let usage = false;
    try {
      for await (const event of input.llm.stream({
        messages,
        tools: [],
        signal: request.signal,
        model: input.model,
        maxTokens: Math.min(SUMMARY_MAX_TOKENS, maxOutput ?? SUMMARY_MAX_TOKENS),
      })) {
        idle.refresh();
        if (event.type === 'text') {
          text += event.delta;
        } else if (event.type === 'usage') {
          usage = true;
          this.promptTokens += event.promptTokens;
          this.completionTokens += event.completionTokens;
        }
      }
      if (request.signal.aborted) {
        throw new LlmError('The request to the LLM provider was aborted', 'aborted');
      }
    } catch (err) {
      // A cancel stops the turn; any other failure of the summary only means cutting instead.
      if (input.signal.aborted || !(err instanceof LlmError)) {
        throw err;
      }
      return null;
    } finally {
      clearTimeout(idle);
      input.signal.removeEventListener('abort', onAbort);
    }
    if (!usage) {
      this.tokensEstimated = true;
      this.promptTokens += estimateTokens(messages);
      this.completionTokens += Math.ceil(text.length / 4);
    }
    const summary = text.trim().slice(0, SUMMARY_MAX_CHARS);
    return summary || null;
  }

  /** The rounds are used up: one request without tools, so the user hears what was done and what is left. */
  private async lastRound(conversation: LlmMessage[], iteration: number): Promise<TurnOutcome> {
    const ask: LlmMessage = { role: 'user', content: LAST_ROUND(this.input.maxIterations) };
    try {
      const { text, calls } = await this.request(conversation, iteration, conversation.length, ask);
      await this.failUnfinished(calls, 'not run: the tool-calling rounds of this turn are used up');
      if (text) {
        this.texts.push(text);
      }
    } catch (err) {
      // The summary is a courtesy: without it the turn still ends as max_iterations.
      if (!(err instanceof LlmError)) {
        throw err;
      }
      if (this.input.signal.aborted) {
        return this.outcome(stopReason(this.input.signal));
      }
    }
    return this.outcome('max_iterations');
  }

  /**
   * One round's request, fitted to the context budget, retried after a dropped stream or a 429 (with
   * back-off) and once, compacted harder, after the provider's context-length error.
   */
  private async request(
    conversation: LlmMessage[],
    iteration: number,
    keepFrom: number,
    /** The last round's request to summarise: sent after the listing, and without tools. */
    finalAsk?: LlmMessage,
  ) {
    const { input } = this;
    const withTools = !finalAsk;
    // The sandbox state rides at the end of the last message (tool result or the user's message), so
    // everything before it stays cacheable and no extra `user` message reads as a new request.
    const environment = environmentDetails(await input.listFiles());
    const full = [this.system, ...conversation, ...(finalAsk ? [finalAsk] : [])];
    let shape = {
      turnStart: this.turnStart,
      keepFrom: Math.min(1 + keepFrom, full.length - 1),
    };
    let { limit, maxTokens } = this.budget();
    let compactions = 0;
    for (let retry = 0; ;) {
      const fitted = Number.isFinite(limit) ? fitContext(full, limit, shape) : full;
      const messages = mergeRoles(withEnvironment(fitted, environment));
      try {
        return await this.streamResponse(messages, iteration, withTools, maxTokens);
      } catch (err) {
        if (!(err instanceof LlmError) || input.signal.aborted) {
          throw err;
        }
        if (err.kind === 'context_length' && compactions < 2) {
          compactions++;
          ({ limit, maxTokens } = this.compacted(err, messages, limit, maxTokens));
          // The latest round may become stubs too.
          shape = { ...shape, keepFrom: full.length - 1 };
          continue;
        }
        const wait = this.retryWait(err, retry);
        if (wait === null) {
          throw err;
        }
        retry++;
        await delay(wait, input.signal);
      }
    }
  }

  /** The request's context budget and output limit, from the model's profile when there is one. */
  private budget(): { limit: number; maxTokens: number | undefined } {
    const { input } = this;
    const profile = input.profiles?.get(input.model ?? '');
    if (!profile) {
      return { limit: input.contextTokens ?? Infinity, maxTokens: input.maxOutputTokens };
    }
    if (!profile.learned.includes('context_tokens')) {
      return { limit: profile.context_tokens, maxTokens: profile.max_output_tokens };
    }
    // A size the provider named is the whole window: prompt and output share it.
    return sharedWindow(profile.context_tokens, profile.max_output_tokens);
  }

  /**
   * After a context error: below the size the provider named (scaled by how its count compares with
   * this estimate), or to half the estimate when it named none; the size is learned for later turns.
   */
  private compacted(
    err: LlmError,
    sent: LlmMessage[],
    limit: number,
    maxTokens: number | undefined,
  ): { limit: number; maxTokens: number | undefined } {
    const estimate = estimateTokens(sent);
    if (!err.contextTokens) {
      return { limit: Math.floor(Math.min(limit, estimate) / 2), maxTokens };
    }
    if (this.input.model) {
      this.input.profiles?.learn(this.input.model, { context_tokens: err.contextTokens });
    }
    const window = sharedWindow(err.contextTokens, maxTokens ?? err.contextTokens);
    const scale = err.promptTokens ? Math.min(1, estimate / err.promptTokens) : 1;
    let target = Math.floor(Math.min(limit, window.limit * scale));
    if (target >= estimate) {
      // The provider counts more than this estimate says: what was sent must shrink all the same.
      target = Math.floor(estimate / 2);
    }
    return { limit: Math.max(1, target), maxTokens: window.maxTokens };
  }

  /** How long to wait before retrying the round after `err`, or null when it must not be retried. */
  private retryWait(err: LlmError, retriesSoFar: number): number | null {
    // A stream dropped for silence (OPENAI_STREAM_IDLE_MS) is retried like a dropped connection.
    const retriable = err.kind === 'connection' || err.kind === 'timeout' || err.status === 429;
    if (!retriable || retriesSoFar >= (this.input.roundRetries ?? 0)) {
      return null;
    }
    if (err.retryAfterMs !== undefined) {
      return err.retryAfterMs <= MAX_RETRY_WAIT_MS ? err.retryAfterMs : null;
    }
    return (this.input.retryBaseMs ?? 1000) * 2 ** retriesSoFar;
  }

  /** Streams one model response, creating each tool call's step as soon as the call begins. */
  private async streamResponse(
    messages: LlmMessage[],
    iteration: number,
    withTools: boolean,
    maxTokens: number | undefined,
  ) {
    const { input } = this;
    const request = new AbortController();
    const onAbort = () => request.abort(input.signal.reason);
    input.signal.addEventListener('abort', onAbort, { once: true });
    if (input.signal.aborted) {
      onAbort();
    }
    // The idle clock measures the provider only: it does not run while this side writes steps.
    // One coarse watchdog per response instead of re-arming a timer for every token. Reasoning
    // chunks are activity too: a model may think for longer than the idle limit before it answers.
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
    /** What of `text` the observer has seen; text that may be tool-call markup is held back. */
    const holdback = new MarkupHoldback();
    let reasoning = '';
    let reasoningField: 'reasoning_content' | 'reasoning' | null = null;
    let finish = '';
    let usage = false;
    const calls = new Map<number, StreamedCall>();
    try {
      for await (const event of input.llm.stream({
        messages,
        tools: withTools ? input.tools.specs() : [],
        signal: request.signal,
        model: input.model,
        maxTokens,
      })) {
        busy = true;
        switch (event.type) {
          case 'text': {
            // Appending keeps `text` a rope; it is never sliced here (see MarkupHoldback).
            text += event.delta;
            const visible = holdback.push(event.delta);
            if (visible) {
              input.observer.delta(visible);
            }
            break;
          }
          case 'reasoning':
            reasoning += event.delta;
            reasoningField ??= event.field;
            input.observer.reasoning?.(event.delta);
            break;
          case 'usage':
            usage = true;
            this.promptTokens += event.promptTokens;
            this.completionTokens += event.completionTokens;
            break;
          case 'finish':
            finish = event.reason;
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
    if (!usage) {
      // Servers that report no usage: estimate, so the turn budget and the daily cap still apply.
      this.tokensEstimated = true;
      this.promptTokens += estimateTokens(messages);
      const written = [...calls.values()].reduce((n, c) => n + c.args.length, 0);
      this.completionTokens += Math.ceil((text.length + reasoning.length + written) / 4);
    }
    // Tool calls written as text (Hermes, Qwen3-Coder) run as calls; their markup is never content.
    const raw = text;
    const extracted = extractTextToolCalls(text, (tool, key) => this.isStringParam(tool, key));
    text = extracted.content;
    if (withTools && calls.size === 0) {
      for (const [i, c] of extracted.calls.entries()) {
        calls.set(i, {
          index: i,
          id: `call_${iteration}_text_${i}`,
          name: c.name,
          args: c.arguments,
          lastWrite: 0,
        });
      }
    }
    const { shown } = holdback;
    if (text.length > shown && text.slice(0, shown) === raw.slice(0, shown)) {
      input.observer.delta(text.slice(shown));
    }
    const ordered = [...calls.values()].sort((a, b) => a.index - b.index);
    for (const call of ordered) {
      call.id ||= `call_${iteration}_${call.index}`;
      call.name ||= '(missing)';
      const repaired = repairArguments(call.args);
      if (repaired?.repaired) {
        call.args = repaired.json;
        call.repaired = repaired.repaired;
      }
      call.step ??= await this.createStep(call, iteration);
    }
    if (reasoning) {
      this.reasonings.push(reasoning);
    }
    return { text, calls: ordered, finish, reasoning, reasoningField };
  }

  /** Whether a tool's parameter is a string (kept as the model wrote it in text markup). */
  private isStringParam(tool: string, key: string): boolean {
    const spec = this.input.tools.specs().find((t) => t.name === tool);
    const props = spec?.parameters.properties as Record<string, { type?: unknown }> | undefined;
    const type = props?.[key]?.type;
    return type === undefined || type === 'string';
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
    truncated: boolean,
  ): Promise<FinishReason | null> {
    const { input } = this;
    for (const [i, call] of calls.entries()) {
      const step = call.step!;
      const parsed = parseArguments(call.args);
      const toolArguments = parsed
        ? {
            ...input.tools.summarize(call.name, parsed),
            // The step says when the arguments were repaired before the call ran.
            ...(call.repaired ? { arguments_repaired: call.repaired } : {}),
          }
        : { invalid_json_bytes: Buffer.byteLength(call.args, 'utf8') };
      if (input.signal.aborted) {
        await this.failUnfinished(calls.slice(i), `not run: ${stopReason(input.signal)}`);
        return stopReason(input.signal);
      }
      const signature = `${call.name}\u0000${canonicalArguments(parsed, call.args)}`;
      if (this.stuck.repeatsWarnedCall(signature)) {
        call.step = await this.updateStep(step, { toolArguments });
        await this.failUnfinished(
          calls.slice(i),
          'not run: the model repeated the same call after being warned',
        );
        return 'stuck_loop';
      }
      call.step = await this.updateStep(step, {
        status: 'running',
        toolArguments,
        startedAt: new Date(),
      });
      let result;
      if (truncated && !parsed) {
        // Cut off by max_tokens: "invalid JSON" would send the model into the same cut-off again.
        result = { ok: false as const, error: TRUNCATED_CALL };
      } else {
        try {
          result = await input.tools.execute(call.name, call.args, this.contextFor(step.id));
        } catch (err) {
          // Not a tool failure the model can act on (the database went away): close every step, then stop.
          await this.failUnfinished(calls.slice(i), 'not run: an internal error stopped the run');
          throw err;
        }
      }
      if (result.ok && call.name === 'update_plan' && Array.isArray(result.items)) {
        this.plan = result.items as PlanItem[];
        input.observer.plan?.(this.plan);
      }
      const version = result.ok && typeof result.version === 'number' ? result.version : null;
      this.changedFiles ||= version !== null || (result.ok && CHANGING_TOOLS.has(call.name));
      call.step = await this.updateStep(call.step, {
        status: result.ok ? 'completed' : 'failed',
        progress: 100,
        error: result.ok ? null : result.error,
        finishedAt: new Date(),
        version,
      });
      const content = JSON.stringify(result);
      const verdict = this.stuck.judge(signature, content);
      conversation.push({
        role: 'tool',
        toolCallId: call.id,
        content:
          verdict === 'warn' ? JSON.stringify({ ...result, warning: STUCK_WARNING }) : content,
      });
      if (verdict === 'stop') {
        // A second run of repeats after the one warning: this call is answered, the rest closed.
        await this.failUnfinished(calls.slice(i + 1), 'not run: the model is stuck in a loop');
        return 'stuck_loop';
      }
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
      // Only what the turn had: most turns carry none of these.
      ...(this.reasonings.length
        ? { reasoning: this.reasonings.join('\n\n').slice(0, MAX_REASONING_CHARS) }
        : {}),
      ...(this.plan ? { plan: this.plan } : {}),
      ...(this.contextSummary ? { contextSummary: this.contextSummary } : {}),
      ...(this.tokensEstimated ? { tokensEstimated: true } : {}),
    };
  }
}

/**
 * A context window the prompt and the output share (vLLM refuses prompt + max_tokens above it): most
 * for the prompt's estimate, the rest for the output, which keeps its configured limit when it fits.
 */
function sharedWindow(window: number, maxOutput: number): { limit: number; maxTokens: number } {
  const maxTokens = Math.max(256, Math.min(maxOutput, Math.floor(window * 0.3)));
  return { limit: Math.max(1, Math.floor((window - maxTokens) * 0.9)), maxTokens };
}

/** Waits `ms`, or stops waiting (throwing) when the turn is aborted. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new LlmError('The request to the LLM provider was aborted', 'aborted'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
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
