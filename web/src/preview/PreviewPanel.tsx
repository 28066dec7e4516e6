import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage, type Schemas } from '../api/client';
import { keys, onSandboxChanged } from '../api/keys';
import { requestSend } from '../chat/send-bus';
import { useCurrentVersion, usePreviewErrors, usePreviewToken, useSandboxFiles } from './queries';

type PageError = Schemas['PreviewErrorView'];

interface Frame {
  key: number;
  url: string;
}

/** Wait this long after the last sandbox change before reloading the frame (steps come in bursts). */
const RELOAD_DEBOUNCE_MS = 300;

/**
 * The site in a sandboxed `<iframe>` (opaque origin, no `allow-same-origin`) through a preview token,
 * so the console's access token is never in a URL or reachable by the page. Reloads when the sandbox
 * changes; lists the page's runtime errors, with "Ask the agent to fix".
 */
export function PreviewPanel({ sessionId }: { sessionId: string }) {
  const client = useQueryClient();
  const token = usePreviewToken(sessionId);
  const files = useSandboxFiles(sessionId);
  // The frame shown, and the next one loading out of sight: the shown page stays until its successor
  // has loaded, so a reload after every step does not flash an empty frame. Each takes the freshest
  // token's URL when it starts, so a token renewal does not reload the page under the user.
  const [shown, setShown] = useState<Frame | null>(null);
  const [next, setNext] = useState<Frame | null>(null);
  const latestUrl = token.data?.url ?? null;
  if (shown === null && latestUrl !== null) {
    setShown({ key: 0, url: latestUrl });
  }

  const latestUrlRef = useRef(latestUrl);
  useEffect(() => {
    latestUrlRef.current = latestUrl;
  }, [latestUrl]);

  const reload = () => {
    const url = latestUrlRef.current;
    if (url) {
      setNext((n) => ({ key: Math.max(n?.key ?? 0, shownKey.current) + 1, url }));
    }
  };
  const shownKey = useRef(0);
  useEffect(() => {
    shownKey.current = shown?.key ?? 0;
  }, [shown]);
  const frameUrl = shown?.url ?? null;
  const onFrameLoad = () => {
    // The page reports its errors as it runs: look shortly after it loaded.
    window.setTimeout(
      () => void client.invalidateQueries({ queryKey: keys.previewErrors(sessionId) }),
      1_500,
    );
  };

  const reloadRef = useRef(reload);
  useEffect(() => {
    reloadRef.current = reload;
  });

  // Reload (debounced) when a step completes, a turn ends, a file is saved or a version restored.
  useEffect(() => {
    let timer: number | undefined;
    const off = onSandboxChanged(sessionId, () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(reloadRef.current, RELOAD_DEBOUNCE_MS);
    });
    return () => {
      off();
      window.clearTimeout(timer);
    };
  }, [sessionId]);

  // Unknown while the listing loads; if it cannot be read, try the frame all the same.
  const hasIndex = files.isError
    ? true
    : (files.data?.files.some((f) => f.name === 'index.html') ?? null);

  return (
    <div className="preview">
      <div className="toolbar">
        <button type="button" onClick={reload} disabled={!frameUrl || hasIndex === false}>
          Reload preview
        </button>
        <button
          type="button"
          disabled={!latestUrl || hasIndex === false}
          onClick={() => {
            if (latestUrl) {
              window.open(latestUrl, '_blank', 'noopener,noreferrer');
            }
          }}
        >
          Open in new tab
        </button>
      </div>
      {token.isError && (
        <p className="error preview-message" role="alert">
          {errorMessage(token.error)}
        </p>
      )}
      <div className="preview-frame-wrap">
        {hasIndex === false ? (
          <div className="preview-empty">
            <p>
              <strong>Nothing to preview yet.</strong>
            </p>
            <p className="muted">
              The site appears here once the sandbox has an <code>index.html</code>. Ask the agent
              to build something, or create the file in Files.
            </p>
          </div>
        ) : frameUrl && hasIndex ? (
          <>
            <iframe
              key={shown?.key}
              className="preview-frame"
              title="Site preview"
              src={frameUrl}
              sandbox="allow-scripts allow-forms allow-popups allow-modals"
              referrerPolicy="no-referrer"
              onLoad={onFrameLoad}
            />
            {next && (
              <iframe
                key={next.key}
                className="preview-frame preview-frame-next"
                title="Site preview (updating)"
                aria-hidden="true"
                tabIndex={-1}
                src={next.url}
                sandbox="allow-scripts allow-forms allow-popups allow-modals"
                referrerPolicy="no-referrer"
                onLoad={() => {
                  // Loaded: it takes the shown frame's place (same element, so no second load).
                  setShown(next);
                  setNext((n) => (n?.key === next.key ? null : n));
                  onFrameLoad();
                }}
              />
            )}
          </>
        ) : (
          <p className="muted preview-message">Loading the preview…</p>
        )}
      </div>
      <PageErrors sessionId={sessionId} />
    </div>
  );
}

function location(e: PageError): string {
  if (!e.source) {
    return '';
  }
  return [e.source, e.line, e.column].filter((x) => x !== null && x !== undefined).join(':');
}

/** The current version's runtime errors, and a button that asks the agent to fix them. */
function PageErrors({ sessionId }: { sessionId: string }) {
  const errors = usePreviewErrors(sessionId);
  const all = errors.data?.errors ?? [];
  const version = useCurrentVersion(sessionId, all.length > 0);
  const current = typeof version.data === 'number' ? version.data : null;
  // One line per distinct error (each load of the page reports its errors again).
  const distinct = new Map<string, { error: PageError; count: number }>();
  for (const e of current === null ? all : all.filter((x) => x.version === current)) {
    const key = `${e.kind}\n${e.message}\n${location(e)}`;
    const seen = distinct.get(key);
    distinct.set(key, { error: e, count: (seen?.count ?? 0) + 1 });
  }
  const grouped = [...distinct.values()];
  const shown = grouped.map((g) => g.error);

  const askToFix = () => {
    const lines = shown
      .slice()
      .reverse()
      .map((e) => `- ${e.kind}: ${e.message}${location(e) ? ` (${location(e)})` : ''}`);
    requestSend(
      sessionId,
      `The preview reports ${shown.length === 1 ? 'this error' : 'these errors'}:\n${lines.join('\n')}\n\nPlease fix ${shown.length === 1 ? 'it' : 'them'}.`,
    );
  };

  return (
    <section className="page-errors" aria-label="Page errors">
      <div className="page-errors-head">
        <h2>
          Page errors{' '}
          <span className={shown.length ? 'count count-bad' : 'count'}>{shown.length}</span>
        </h2>
        {shown.length > 0 && (
          <button type="button" className="primary" onClick={askToFix}>
            Ask the agent to fix
          </button>
        )}
      </div>
      {errors.isError && <p className="error">{errorMessage(errors.error)}</p>}
      {shown.length === 0 ? (
        <p className="muted page-errors-none">No errors reported by the page.</p>
      ) : (
        <ul className="page-errors-list">
          {grouped.map(({ error: e, count }, i) => (
            <li key={`${e.at}-${i}`}>
              <span className="error-kind">{e.kind}</span>{' '}
              <span className="error-message">{e.message}</span>
              {location(e) && <span className="error-source muted"> {location(e)}</span>}
              {count > 1 && <span className="muted"> (×{count})</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
