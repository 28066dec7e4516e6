import type { ExecutionStep } from './execution-step.entity.js';
import type { Message } from './message.entity.js';

export interface MessageView {
  id: number;
  session_id: string;
  content: string;
  role: string;
  status: string;
  created_at: string;
  finish_reason?: string | null;
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
}

export interface StepView {
  id: number;
  session_id: string;
  message_id: number;
  iteration: number;
  status: string;
  tool_name: string;
  tool_arguments: Record<string, unknown>;
  progress: number;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toMessageView(m: Message): MessageView {
  const view: MessageView = {
    id: m.id,
    session_id: m.sessionId,
    content: m.content,
    role: m.role,
    status: m.status,
    created_at: m.createdAt.toISOString(),
  };
  if (m.role === 'assistant') {
    view.finish_reason = m.finishReason;
    view.prompt_tokens = m.promptTokens;
    view.completion_tokens = m.completionTokens;
  }
  return view;
}

export const toStepView = (s: ExecutionStep): StepView => ({
  id: s.id,
  session_id: s.sessionId,
  message_id: s.messageId,
  iteration: s.iteration,
  status: s.status,
  tool_name: s.toolName,
  tool_arguments: s.toolArguments,
  progress: s.progress,
  error: s.error,
  started_at: iso(s.startedAt),
  finished_at: iso(s.finishedAt),
});
