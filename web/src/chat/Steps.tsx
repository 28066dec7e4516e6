import type { Schemas } from '../api/client';
import type { Step } from './use-turn';

/** The file a tool call touched, from its (bulk-free) arguments: `filename`, or `from` → `to`. */
export function stepFile(step: Step): string {
  const args = step.tool_arguments ?? {};
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  if (str(args.filename)) {
    return str(args.filename);
  }
  if (str(args.from) || str(args.to)) {
    return [str(args.from), str(args.to)].filter(Boolean).join(' → ');
  }
  return '';
}

/** A turn's tool calls as they run: tool, file, a progress bar (0–100) and the status. */
export function StepList({ steps }: { steps: Step[] }) {
  if (steps.length === 0) {
    return null;
  }
  return (
    <ul className="steps" aria-label="Steps">
      {steps.map((s) => {
        const file = stepFile(s);
        const progress = Math.max(0, Math.min(100, Math.round(s.progress ?? 0)));
        return (
          <li key={s.id} className={`step step-${s.status}`}>
            <div className="step-line">
              <span className="step-icon" aria-hidden="true">
                {s.status === 'completed'
                  ? '✓'
                  : s.status === 'failed'
                    ? '✕'
                    : s.status === 'running'
                      ? '•'
                      : '○'}
              </span>
              <code className="step-tool">{s.tool_name}</code>
              {file && <span className="step-file">{file}</span>}
              <span className="step-status">{s.status}</span>
            </div>
            <div
              className="progress"
              role="progressbar"
              aria-label={`${s.tool_name} ${file}`.trim()}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={progress}
            >
              <div className="progress-fill" style={{ width: `${progress}%` }} />
            </div>
            {s.error && <p className="step-error error">{s.error}</p>}
          </li>
        );
      })}
    </ul>
  );
}

type Version = Schemas['VersionView'];

/** An older turn's file changes (from its versions: the API keeps steps of the latest turn only). */
export function TurnChanges({ versions }: { versions: Version[] }) {
  const changes = versions
    .slice()
    .sort((a, b) => a.version - b.version)
    .flatMap((v) => v.changes.map((c) => ({ ...c, key: `${v.version}:${c.filename}` })));
  if (changes.length === 0) {
    return null;
  }
  return (
    <ul className="turn-changes" aria-label="Files changed">
      {changes.map((c) => (
        <li key={c.key}>
          <span className={`change change-${c.change}`}>{c.change}</span> {c.filename}
        </li>
      ))}
    </ul>
  );
}
