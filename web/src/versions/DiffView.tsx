import { useMemo } from 'react';
import type { Schemas } from '../api/client';
import { countChanges, parseUnified, sideBySide, type DiffLine } from './diff';

export type DiffMode = 'unified' | 'split';

const MARK: Record<DiffLine['kind'], string> = { add: '+', del: '-', ctx: ' ', note: '\\' };
const CHANGE_WORD: Record<string, string> = {
  added: 'added',
  modified: 'modified',
  deleted: 'deleted',
};

/** The changes of one version, file by file: unified, or old and new side by side. */
export function VersionDiff({
  changes,
  mode,
}: {
  changes: Schemas['VersionChangeDetailView'][];
  mode: DiffMode;
}) {
  if (changes.length === 0) {
    return <p className="muted">No file changed in this version.</p>;
  }
  return (
    <div className="diff-files">
      {changes.map((c) => (
        <FileDiff key={c.filename} change={c} mode={mode} />
      ))}
    </div>
  );
}

function FileDiff({
  change,
  mode,
}: {
  change: Schemas['VersionChangeDetailView'];
  mode: DiffMode;
}) {
  const hunks = useMemo(() => (change.diff ? parseUnified(change.diff) : []), [change.diff]);
  const counts = countChanges(hunks);
  return (
    <section className="diff-file" aria-label={`Changes to ${change.filename}`}>
      <h3 className="diff-file-name">
        <span className={`change-badge change-${change.change}`}>
          {CHANGE_WORD[change.change] ?? change.change}
        </span>
        <span className="diff-path">{change.filename}</span>
        {change.diff && (
          <span className="diff-counts">
            <span className="diff-count-add">+{counts.added}</span>{' '}
            <span className="diff-count-del">-{counts.removed}</span>
          </span>
        )}
      </h3>
      {change.diff === null ? (
        <p className="muted diff-none">
          No text diff (a binary or large file):{' '}
          {change.size_before === null ? 'none' : `${change.size_before.toLocaleString()} bytes`} →{' '}
          {change.change === 'deleted' ? 'none' : `${change.size.toLocaleString()} bytes`}.
        </p>
      ) : hunks.length === 0 ? (
        <p className="muted diff-none">The content did not change (an empty file).</p>
      ) : (
        <div
          className="diff-scroll"
          tabIndex={0}
          role="group"
          aria-label={`Diff of ${change.filename}`}
        >
          {hunks.map((h, i) => (
            <div key={i} className={`diff-hunk diff-${mode}`}>
              <div className="diff-hunk-header">{h.header}</div>
              {mode === 'unified'
                ? h.lines.map((l, j) => (
                    <div key={j} className={`dl dl-${l.kind}`}>
                      <span className="ln" aria-hidden="true">
                        {l.oldNo ?? ''}
                      </span>
                      <span className="ln" aria-hidden="true">
                        {l.newNo ?? ''}
                      </span>
                      <span className="mk">{MARK[l.kind]}</span>
                      <span className="tx">{l.text}</span>
                    </div>
                  ))
                : sideBySide(h).map((row, j) => (
                    <div key={j} className="dl-row">
                      <Half line={row.left} side="old" />
                      <Half line={row.right} side="new" />
                    </div>
                  ))}
            </div>
          ))}
        </div>
      )}
    </section>
  );
}

function Half({ line, side }: { line: DiffLine | null; side: 'old' | 'new' }) {
  if (!line) {
    return (
      <>
        <span className="ln" aria-hidden="true" />
        <span className="dl-half dl-empty" />
      </>
    );
  }
  const no = side === 'old' ? line.oldNo : line.newNo;
  return (
    <>
      <span className={`ln dl-${line.kind}`} aria-hidden="true">
        {no ?? ''}
      </span>
      <span className={`dl-half dl-${line.kind}`}>
        <span className="mk">{MARK[line.kind]}</span>
        <span className="tx">{line.text}</span>
      </span>
    </>
  );
}
