import type { Model } from '../api/round3';

/** One line of a model's profile as the console shows it. */
export interface ProfileRow {
  label: string;
  value: string;
  /** Learned from the provider's own answers, rather than configured or defaulted. */
  learned: boolean;
}

/**
 * A model as `GET /api/models` lists it, with the issue-19 fields optional: the console also reads a
 * server that does not send them (yet), whatever the generated types say.
 */
export type ModelLike = Pick<Model, 'id' | 'default'> &
  Partial<Pick<Model, 'vision' | 'context_tokens' | 'profile'>>;

const tokens = (n: number) => `${n.toLocaleString('en-US')} tokens`;

/**
 * The model a `<select>` value stands for: the named one, or the default for "" / null. Undefined
 * while the list is loading or for a model the list no longer has.
 */
export function modelFor<M extends ModelLike>(
  list: readonly M[],
  value: string | null,
): M | undefined {
  return value ? list.find((m) => m.id === value) : list.find((m) => m.default);
}

/**
 * What the console tells about a model: images, context, output limit and how it is asked for. Empty
 * for a server that reports no profile (before issue 19).
 */
export function profileRows(model: ModelLike | undefined): ProfileRow[] {
  if (!model) {
    return [];
  }
  const profile = model.profile;
  const learned = new Set<string>(profile?.learned ?? []);
  const vision = profile?.vision ?? model.vision;
  const context = profile?.context_tokens ?? model.context_tokens;
  const rows: ProfileRow[] = [];
  if (vision !== undefined) {
    rows.push({
      label: 'Images',
      value: vision ? 'accepted' : 'not accepted',
      learned: learned.has('vision'),
    });
  }
  if (context !== undefined) {
    rows.push({ label: 'Context', value: tokens(context), learned: learned.has('context_tokens') });
  }
  if (profile) {
    rows.push({
      label: 'Output limit',
      value: tokens(profile.max_output_tokens),
      learned: learned.has('max_output_tokens'),
    });
    rows.push({
      label: 'Parameter',
      value: profile.output_param,
      learned: learned.has('output_param'),
    });
  }
  return rows;
}

/** The profile in one line, for places without room for the details (the new-session form). */
export function profileSummary(rows: readonly ProfileRow[]): string {
  return rows.map((r) => `${r.label}: ${r.value}${r.learned ? ' (learned)' : ''}`).join(' · ');
}
