import { useId } from 'react';
import type { PlanItem } from '../api/round3';

const ICONS: Record<PlanItem['status'], string> = {
  pending: '○',
  in_progress: '◐',
  completed: '✓',
};

const LABELS: Record<PlanItem['status'], string> = {
  pending: 'to do',
  in_progress: 'in progress',
  completed: 'done',
};

/** How far the plan is: "2 of 5 done". */
export function planProgress(items: readonly PlanItem[]): string {
  const done = items.filter((i) => i.status === 'completed').length;
  return `${done} of ${items.length} done`;
}

/**
 * The agent's plan (its `update_plan` todo list) as a checklist: each entry with its status. A named
 * group, not a region: every turn may have one, and landmarks must be unique.
 */
export function Plan({ items }: { items: readonly PlanItem[] | null | undefined }) {
  const head = useId();
  if (!items || items.length === 0) {
    return null;
  }
  return (
    <div className="plan" role="group" aria-labelledby={head}>
      <p className="plan-head" id={head}>
        Plan <span className="muted">· {planProgress(items)}</span>
      </p>
      <ol className="plan-items">
        {items.map((item, i) => (
          // The plan is replaced whole each time, and texts may repeat: the position is the identity.
          <li key={i} className={`plan-item plan-${item.status}`}>
            <span className="plan-icon" aria-hidden="true">
              {ICONS[item.status]}
            </span>
            <span className="plan-text">{item.text}</span>
            <span className="visually-hidden">({LABELS[item.status]})</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
