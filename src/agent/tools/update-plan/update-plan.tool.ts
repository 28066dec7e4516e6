import type { PlanItem } from '../../../messages/message.entity.js';
import { ToolArgumentError, type AgentTool } from '../agent-tool.js';

const STATUSES = ['pending', 'in_progress', 'completed'] as const;
const MAX_ITEMS = 50;
const MAX_TEXT = 500;

/** The items of an `update_plan` call, checked; throws a ToolArgumentError the model can correct. */
export function planItems(args: Record<string, unknown>): PlanItem[] {
  const items = args.items;
  if (!Array.isArray(items) || items.length === 0) {
    throw new ToolArgumentError('"items" must be a non-empty array of {text, status}');
  }
  if (items.length > MAX_ITEMS) {
    throw new ToolArgumentError(`"items" may hold at most ${MAX_ITEMS} items`);
  }
  return items.map((item: unknown, i) => {
    const { text, status } = (item ?? {}) as Record<string, unknown>;
    if (typeof text !== 'string' || !text.trim()) {
      throw new ToolArgumentError(`items[${i}].text must be a non-empty string`);
    }
    if (!STATUSES.includes(status as PlanItem['status'])) {
      throw new ToolArgumentError(`items[${i}].status must be one of ${STATUSES.join(', ')}`);
    }
    return { text: text.trim().slice(0, MAX_TEXT), status: status as PlanItem['status'] };
  });
}

/**
 * The todo list of a multi-file task (as OpenHands' task tracker and Roo's todo list): the user sees it
 * beside the chat (`event: plan`) and it is kept with the message. It changes no file.
 */
export const updatePlanTool: AgentTool = {
  name: 'update_plan',
  description:
    'Keep the plan of a task that spans more than one file: the whole list of steps each time, each ' +
    'with its status. Call it at the start of such work and whenever a step starts or is done. The ' +
    'user sees the plan; it changes no file.',
  parameters: {
    type: 'object',
    properties: {
      items: {
        type: 'array',
        description: 'Every step of the plan, in order.',
        items: {
          type: 'object',
          properties: {
            text: { type: 'string', description: 'What the step does, in a few words.' },
            status: {
              type: 'string',
              enum: [...STATUSES],
              description: 'pending, in_progress (at most one) or completed.',
            },
          },
          required: ['text', 'status'],
          additionalProperties: false,
        },
      },
    },
    required: ['items'],
    additionalProperties: false,
  },
  bulkyKeys: [],
  // eslint-disable-next-line @typescript-eslint/require-await
  async execute(args) {
    const items = planItems(args);
    return { ok: true, items };
  },
};
