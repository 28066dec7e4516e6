import { useId, useState } from 'react';
import type { Schemas } from '../api/client';
import { formatBytes } from '../files/format';

type Usage = Schemas['UsageView'];

const METRICS = {
  tokens: {
    label: 'Tokens',
    value: (u: Usage) => u.prompt_tokens + u.completion_tokens,
    format: (n: number) => n.toLocaleString(),
  },
  messages: {
    label: 'Messages',
    value: (u: Usage) => u.messages,
    format: (n: number) => n.toLocaleString(),
  },
  runs: { label: 'Runs', value: (u: Usage) => u.runs, format: (n: number) => n.toLocaleString() },
  sandbox: { label: 'Sandbox bytes', value: (u: Usage) => u.sandbox_bytes, format: formatBytes },
} as const;
type Metric = keyof typeof METRICS;

const MAX_BARS = 20;

/**
 * Usage per user as horizontal bars (an SVG per bar, so labels stay readable at any width), for one
 * metric at a time. Screen readers get the chart's name and a text summary of the same figures.
 */
export function UsageChart({ rows }: { rows: Usage[] }) {
  const [metric, setMetric] = useState<Metric>('tokens');
  const selectId = useId();
  const summaryId = useId();
  const m = METRICS[metric];
  const sorted = [...rows].sort((a, b) => m.value(b) - m.value(a)).slice(0, MAX_BARS);
  const max = Math.max(1, ...sorted.map((u) => m.value(u)));
  const summary =
    sorted.length === 0
      ? 'No users yet.'
      : `${m.label} per user, most first: ${sorted.map((u) => `${u.username} ${m.format(m.value(u))}`).join('; ')}.`;

  return (
    <figure className="usage-figure">
      <figcaption className="usage-caption">
        <label htmlFor={selectId}>Chart metric</label>
        <select id={selectId} value={metric} onChange={(e) => setMetric(e.target.value as Metric)}>
          {(Object.keys(METRICS) as Metric[]).map((k) => (
            <option key={k} value={k}>
              {METRICS[k].label}
            </option>
          ))}
        </select>
        {rows.length > MAX_BARS && (
          <span className="muted">the {MAX_BARS} highest of the users loaded</span>
        )}
      </figcaption>
      <div role="img" aria-label="Usage chart" aria-describedby={summaryId} className="usage-chart">
        {sorted.map((u) => {
          const v = m.value(u);
          const pct = (v / max) * 100;
          return (
            <div key={u.user_id} className="bar-row">
              <span className="bar-name" title={u.username}>
                {u.username}
              </span>
              <svg
                className="bar-track"
                viewBox="0 0 100 10"
                preserveAspectRatio="none"
                aria-hidden="true"
              >
                <rect
                  x="0"
                  y="0"
                  width={Math.max(pct, v > 0 ? 0.8 : 0)}
                  height="10"
                  className="bar"
                />
              </svg>
              <span className="bar-value">{m.format(v)}</span>
            </div>
          );
        })}
      </div>
      <p id={summaryId} className="visually-hidden">
        {summary}
      </p>
    </figure>
  );
}
