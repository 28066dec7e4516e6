import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ExecutionStep } from './execution-step.entity.js';
import type { Message } from './message.entity.js';

/** One item of the plan the model keeps with `update_plan`. */
export class PlanItemView {
  @ApiProperty({ example: 'Write index.html' })
  text!: string;

  @ApiProperty({ enum: ['pending', 'in_progress', 'completed'], example: 'completed' })
  status!: 'pending' | 'in_progress' | 'completed';
}

export class MessageView {
  @ApiProperty({ example: 3 })
  id!: number;

  @ApiProperty({ example: '12db3c516aae14608a5013905b8c189f' })
  session_id!: string;

  @ApiProperty({ example: 'I created a login form…' })
  content!: string;

  @ApiProperty({ enum: ['user', 'assistant'] })
  role!: string;

  @ApiProperty({ enum: ['running', 'completed', 'failed'] })
  status!: string;

  @ApiProperty({ example: '2024-01-15T10:31:00.000Z' })
  created_at!: string;

  @ApiPropertyOptional({
    nullable: true,
    description: 'assistant only: how the turn ended',
    enum: [
      'completed',
      'max_iterations',
      'stuck_loop',
      'budget',
      'provider_error',
      'error',
      'cancelled',
      'time_limit',
      'interrupted',
    ],
  })
  finish_reason?: string | null;

  @ApiPropertyOptional({ nullable: true, description: 'assistant only' })
  prompt_tokens?: number | null;

  @ApiPropertyOptional({ nullable: true, description: 'assistant only' })
  completion_tokens?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description:
      'assistant only: the sandbox version when the turn began (restore it to undo the turn)',
  })
  version_before?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'assistant only: the sandbox version when the turn ended; null while it runs',
  })
  version_after?: number | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'the turn’s reasoning (thinking the model streamed apart from its answer), cut to 64 KiB; null for user messages and models that do not reason',
  })
  reasoning!: string | null;

  @ApiProperty({
    type: [PlanItemView],
    nullable: true,
    description: 'the last plan of the turn (`update_plan`)',
  })
  plan!: PlanItemView[] | null;

  @ApiProperty({
    description: 'true when the provider sent no `usage` for some round and tokens were estimated',
  })
  tokens_estimated!: boolean;
}

export class StepView {
  @ApiProperty({ example: 1 })
  id!: number;

  @ApiProperty({ example: '12db3c516aae14608a5013905b8c189f' })
  session_id!: string;

  @ApiProperty({ example: 3 })
  message_id!: number;

  @ApiProperty({ example: 1, description: 'tool-calling round, from 1' })
  iteration!: number;

  @ApiProperty({ enum: ['pending', 'running', 'completed', 'failed'] })
  status!: string;

  @ApiProperty({ example: 'write_file' })
  tool_name!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { filename: 'index.html', content_bytes: 1234 },
    description: 'small values as given; bulky ones replaced by <key>_bytes',
  })
  tool_arguments!: Record<string, unknown>;

  @ApiProperty({ minimum: 0, maximum: 100 })
  progress!: number;

  @ApiProperty({ type: String, nullable: true })
  error!: string | null;

  @ApiProperty({ type: String, nullable: true })
  started_at!: string | null;

  @ApiProperty({ type: String, nullable: true })
  finished_at!: string | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'the sandbox version this step made (restore it to go back to right after it); null if none',
  })
  version!: number | null;
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
    reasoning: m.reasoning ?? null,
    plan: m.plan ?? null,
    tokens_estimated: m.tokensEstimated ?? false,
  };
  if (m.role === 'assistant') {
    view.finish_reason = m.finishReason;
    view.prompt_tokens = m.promptTokens;
    view.completion_tokens = m.completionTokens;
    view.version_before = m.versionBefore ?? null;
    view.version_after = m.versionAfter ?? null;
  }
  return view;
}

/** The fields of a step a view needs (a stored row, or a step the loop holds in memory). */
export type StepRecord = Pick<
  ExecutionStep,
  | 'id'
  | 'sessionId'
  | 'messageId'
  | 'iteration'
  | 'status'
  | 'toolName'
  | 'toolArguments'
  | 'progress'
  | 'error'
  | 'startedAt'
  | 'finishedAt'
> & { version?: number | null };

export const toStepView = (s: StepRecord): StepView => ({
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
  version: s.version ?? null,
});
