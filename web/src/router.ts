import { useSyncExternalStore } from 'react';

/** The console's few screens, as paths the service answers with the console (history API routing). */
export type Route =
  { name: 'home' } | { name: 'session'; id: string; tab: WorkspaceTab } | { name: 'admin' };

export type WorkspaceTab = 'preview' | 'files' | 'versions';
const TABS: readonly WorkspaceTab[] = ['preview', 'files', 'versions'];

export function parseRoute(path: string): Route {
  const session = /^\/sessions\/([0-9a-f]{32})(?:\/(preview|files|versions))?\/?$/.exec(path);
  if (session) {
    const tab = (session[2] ?? 'preview') as WorkspaceTab;
    return { name: 'session', id: session[1], tab: TABS.includes(tab) ? tab : 'preview' };
  }
  if (/^\/admin\/?$/.test(path)) {
    return { name: 'admin' };
  }
  return { name: 'home' };
}

export function routePath(route: Route): string {
  switch (route.name) {
    case 'home':
      return '/';
    case 'admin':
      return '/admin';
    case 'session':
      return `/sessions/${route.id}${route.tab === 'preview' ? '' : `/${route.tab}`}`;
  }
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const path = routePath(route);
  if (path !== window.location.pathname) {
    if (options.replace) {
      window.history.replaceState(null, '', path);
    } else {
      window.history.pushState(null, '', path);
    }
    listeners.forEach((l) => l());
  }
}

let cached: { path: string; route: Route } | null = null;
function current(): Route {
  const path = window.location.pathname;
  if (cached?.path !== path) {
    cached = { path, route: parseRoute(path) };
  }
  return cached.route;
}

export function useRoute(): Route {
  return useSyncExternalStore((cb) => {
    listeners.add(cb);
    return () => listeners.delete(cb);
  }, current);
}
