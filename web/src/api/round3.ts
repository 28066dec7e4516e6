import type { Schemas } from './client';

/*
 * ─── LOCAL TYPE EXTENSION FOR ISSUE 19 ("Models as they are") ───────────────────────────────────
 * The server adds these fields in the same round (helper m-models), so the generated `schema.d.ts`
 * does not have them yet. They follow `/work/wt/notes/issue19-shapes.md` (contract Round 3).
 * WHEN `npm run web:types` HAS REGENERATED schema.d.ts WITH THEM: replace each `… & Round3…` below
 * by the plain `Schemas[…]` type (and `PlanItem` / `ModelProfile` by the generated components, if
 * named), then delete the extension interfaces. Everything else imports from here, so nothing
 * else changes. The fields are optional so the console also runs against a server without them.
 */

/** One entry of the agent's plan (`update_plan`): the whole list arrives each time it changes. */
export interface PlanItem {
  text: string;
  status: 'pending' | 'in_progress' | 'completed';
}

interface Round3Message {
  /** The turn's reasoning text ("thinking"), kept for display; null on user messages. */
  reasoning?: string | null;
  /** The last plan of the turn. */
  plan?: PlanItem[] | null;
  /** Tokens were estimated because the provider sent no `usage` for some round. */
  tokens_estimated?: boolean;
}

/** How requests to a model are built: configured, defaulted, or learned from its answers. */
export interface ModelProfile {
  output_param: 'max_tokens' | 'max_completion_tokens';
  max_output_tokens: number;
  context_tokens: number;
  vision: boolean;
  /** The fields learned from the provider's own answers (rather than configured or defaulted). */
  learned: string[];
}

interface Round3Model {
  vision?: boolean;
  context_tokens?: number;
  profile?: ModelProfile;
}

export type Message = Schemas['MessageView'] & Round3Message;
export type Model = Schemas['ModelView'] & Round3Model;
/* ─── end of the local extension ──────────────────────────────────────────────────────────────── */

export type Step = Schemas['StepView'];
