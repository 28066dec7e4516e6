import type { Message, Step } from '../api/round3';

/** A message as the API shows it, with the fields a test cares about overridden. */
export function message(over: Partial<Message> = {}): Message {
  return {
    id: 2,
    session_id: 's1',
    content: '',
    role: 'assistant',
    status: 'running',
    created_at: '2026-12-07T10:00:00.000Z',
    finish_reason: null,
    prompt_tokens: null,
    completion_tokens: null,
    version_before: 1,
    version_after: null,
    reasoning: null,
    plan: null,
    tokens_estimated: false,
    ...over,
  };
}

export function step(over: Partial<Step> = {}): Step {
  return {
    id: 1,
    session_id: 's1',
    message_id: 2,
    iteration: 1,
    status: 'running',
    tool_name: 'write_file',
    tool_arguments: { filename: 'index.html', content_bytes: 10 },
    progress: 0,
    error: null,
    started_at: null,
    finished_at: null,
    version: null,
    ...over,
  };
}
