import { useQuery } from '@tanstack/react-query';
import { api, errorMessage, unwrap } from '../api/client';
import { keys } from '../api/keys';
import { navigate, type WorkspaceTab } from '../router';
import { ChatPanel } from '../chat/ChatPanel';
import { PreviewPanel } from '../preview/PreviewPanel';
import { FilesPanel } from '../files/FilesPanel';
import { VersionsPanel } from '../versions/VersionsPanel';

const TABS: { id: WorkspaceTab; label: string }[] = [
  { id: 'preview', label: 'Preview' },
  { id: 'files', label: 'Files' },
  { id: 'versions', label: 'Versions' },
];

/** One session: the chat on one side, the preview, files and versions of its sandbox on the other. */
export function SessionWorkspace({ sessionId, tab }: { sessionId: string; tab: WorkspaceTab }) {
  const session = useQuery({
    queryKey: keys.session(sessionId),
    queryFn: () => unwrap(api.GET('/api/sessions/{id}', { params: { path: { id: sessionId } } })),
  });
  if (session.isError) {
    return (
      <p className="error" role="alert">
        {errorMessage(session.error)}
      </p>
    );
  }
  return (
    <div className="session">
      <section className="chat-column" aria-label="Conversation">
        <ChatPanel sessionId={sessionId} />
      </section>
      <section className="side-column" aria-label="Sandbox">
        <div role="tablist" aria-label="Sandbox views" className="tabs">
          {TABS.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              id={`tab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls={`panel-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              onClick={() => navigate({ name: 'session', id: sessionId, tab: t.id })}
              onKeyDown={(e) => {
                const i = TABS.findIndex((x) => x.id === tab);
                const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
                if (step !== 0) {
                  const next = TABS[(i + step + TABS.length) % TABS.length];
                  navigate({ name: 'session', id: sessionId, tab: next.id });
                  document.getElementById(`tab-${next.id}`)?.focus();
                }
              }}
            >
              {t.label}
            </button>
          ))}
        </div>
        <div
          role="tabpanel"
          id={`panel-${tab}`}
          aria-labelledby={`tab-${tab}`}
          className="tab-panel"
        >
          {tab === 'preview' && <PreviewPanel sessionId={sessionId} />}
          {tab === 'files' && <FilesPanel sessionId={sessionId} />}
          {tab === 'versions' && <VersionsPanel sessionId={sessionId} />}
        </div>
      </section>
    </div>
  );
}
