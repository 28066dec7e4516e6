import { useEffect, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import { authStore } from '../auth/auth-store';
import { useAuth } from '../auth/use-auth';
import { navigate, useRoute } from '../router';
import { SessionSidebar } from '../sessions/SessionSidebar';
import { SessionWorkspace } from '../session/SessionWorkspace';
import { AdminPage } from '../admin/AdminPage';
import { ThemeToggle } from '../ui/ThemeToggle';
import { ProviderNotice } from './ProviderNotice';

/** The signed-in console: a header, the session list beside the selected session, or the admin page. */
export function Shell() {
  const route = useRoute();
  const auth = useAuth();
  const me = useQuery({ queryKey: keys.me, queryFn: () => unwrap(api.GET('/api/auth/me')) });
  const [drawerOpen, setDrawerOpen] = useState(false);
  const isAdmin = me.data?.role === 'admin';
  const username = auth.status === 'signed-in' ? auth.user.username : '';
  const toggleRef = useRef<HTMLButtonElement>(null);

  // The drawer (under 800 px): focus moves into it; Escape closes it and returns to the toggle.
  useEffect(() => {
    if (!drawerOpen) {
      return;
    }
    document
      .querySelector<HTMLElement>('#session-sidebar a, #session-sidebar button')
      ?.focus({ preventScroll: true });
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !document.querySelector('dialog[open]')) {
        setDrawerOpen(false);
        toggleRef.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [drawerOpen]);

  return (
    <div className="shell">
      <header className="topbar">
        <button
          ref={toggleRef}
          type="button"
          className="icon-button drawer-toggle"
          aria-label="Sessions"
          aria-expanded={drawerOpen}
          aria-controls="session-sidebar"
          onClick={() => setDrawerOpen(!drawerOpen)}
        >
          ☰
        </button>
        <a
          className="brand"
          href="/"
          onClick={(e) => {
            e.preventDefault();
            navigate({ name: 'home' });
          }}
        >
          <img src="/favicon.svg" alt="" width="24" height="24" />
          <span>Aeio Dev Agent</span>
        </a>
        <nav className="topnav" aria-label="Main">
          {isAdmin && (
            <a
              href="/admin"
              aria-current={route.name === 'admin' ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                navigate({ name: 'admin' });
              }}
            >
              Admin
            </a>
          )}
          <ThemeToggle />
          <span className="muted user-name" title="Signed in as">
            {username}
          </span>
          <button type="button" onClick={() => authStore.signOut()}>
            Sign out
          </button>
        </nav>
      </header>
      <ProviderNotice />
      {route.name === 'admin' ? (
        <main className="page" id="main">
          {isAdmin ? <AdminPage /> : <p role="alert">Only admins can see this page.</p>}
        </main>
      ) : (
        <div className="layout">
          <SessionSidebar
            id="session-sidebar"
            open={drawerOpen}
            selectedId={route.name === 'session' ? route.id : null}
            onSelect={() => setDrawerOpen(false)}
          />
          {drawerOpen && (
            <div
              className="drawer-backdrop"
              aria-hidden="true"
              onClick={() => setDrawerOpen(false)}
            />
          )}
          <main className="workspace" id="main">
            {route.name === 'session' ? (
              <SessionWorkspace key={route.id} sessionId={route.id} tab={route.tab} />
            ) : (
              <div className="empty">
                <h1>Describe a website, watch it being built</h1>
                <p className="muted">
                  Create a session on the left, then tell the agent what to build.
                </p>
              </div>
            )}
          </main>
        </div>
      )}
    </div>
  );
}
