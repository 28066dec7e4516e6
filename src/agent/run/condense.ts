import type { LlmMessage } from '../llm/llm-client.js';

/** Fewer older rounds than this are left to stubs: summarising them would save little. */
export const MIN_ROUNDS_TO_CONDENSE = 2;
/** Rounds between two summaries at least, so a full context does not cost a request every round. */
export const CONDENSE_EVERY_ROUNDS = 3;
/** Output limit of the summary request, and the stored summary's length limit. */
export const SUMMARY_MAX_TOKENS = 1024;
export const SUMMARY_MAX_CHARS = 8000;

/** The one instruction of the summary request (after OpenHands' LLMSummarizingCondenser). */
export const SUMMARY_REQUEST =
  'The conversation is getting too long for your context. Do not call tools. Write a concise ' +
  'summary of the work in this turn so far, for yourself to continue from: what was done, the ' +
  'files written or changed (names, and what each holds), decisions made, errors met, and what is ' +
  'left to do for the user request. Plain text, at most about 300 words.';

const SUMMARY_LABEL =
  '[Summary of earlier work in this turn, written when the context filled up; the rounds it covers were removed]';
const EARLIER_LABEL =
  '[Summary of earlier work in this conversation (older messages are not shown)]';

/** The message that stands in for the summarised rounds. */
export const summaryMessage = (summary: string): LlmMessage => ({
  role: 'user',
  content: `${SUMMARY_LABEL}\n${summary}`,
});

/** The message a later turn starts with when its history was cut: the last stored summary. */
export const earlierSummaryMessage = (summary: string): LlmMessage => ({
  role: 'user',
  content: `${EARLIER_LABEL}\n${summary.slice(0, SUMMARY_MAX_CHARS)}`,
});

/** Tool-calling rounds (assistant messages with calls) among `messages`. */
export const countRounds = (messages: readonly LlmMessage[]): number =>
  messages.filter((m) => m.role === 'assistant' && (m.toolCalls?.length ?? 0) > 0).length;
