import type { Message } from './use-turn';

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/**
 * How an assistant turn ended, and the tokens it used (prompt + completion). When the provider sent
 * no usage for some round, the count is the service's estimate and says so.
 */
export function TurnEnd({ message }: { message: Message }) {
  if (message.role !== 'assistant' || message.status === 'running') {
    return null;
  }
  const prompt = num(message.prompt_tokens);
  const completion = num(message.completion_tokens);
  const reason = message.finish_reason ?? (message.status === 'failed' ? 'error' : 'completed');
  const estimated = message.tokens_estimated === true;
  return (
    <p className={`turn-end ${message.status === 'failed' ? 'turn-failed' : ''}`}>
      <span>Finished: {reason}</span>
      <span
        title={`${prompt} prompt + ${completion} completion${estimated ? ', estimated: the provider reported no usage' : ''}`}
      >
        Tokens: {prompt + completion}
        {estimated && ' (estimated)'}
      </span>
    </p>
  );
}
