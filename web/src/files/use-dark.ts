import { useSyncExternalStore } from 'react';

const media = window.matchMedia('(prefers-color-scheme: dark)');

function isDark(): boolean {
  const chosen = document.documentElement.dataset.theme;
  return chosen === 'dark' || (chosen !== 'light' && media.matches);
}

function subscribe(cb: () => void): () => void {
  const observer = new MutationObserver(cb);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  media.addEventListener('change', cb);
  return () => {
    observer.disconnect();
    media.removeEventListener('change', cb);
  };
}

/** Whether the console is dark now (the Theme choice, or the system's when it follows it). */
export function useDark(): boolean {
  return useSyncExternalStore(subscribe, isDark);
}
