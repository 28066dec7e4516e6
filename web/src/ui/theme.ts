export type Theme = 'light' | 'dark' | 'system';
const KEY = 'aeio.theme';

export function storedTheme(): Theme {
  const t = localStorage.getItem(KEY);
  return t === 'light' || t === 'dark' ? t : 'system';
}

/** Light or dark follows the system unless the user picked one (kept per browser). */
export function applyTheme(theme: Theme = storedTheme()): void {
  if (theme === 'system') {
    localStorage.removeItem(KEY);
    delete document.documentElement.dataset.theme;
  } else {
    localStorage.setItem(KEY, theme);
    document.documentElement.dataset.theme = theme;
  }
}

export function effectiveTheme(): 'light' | 'dark' {
  const t = storedTheme();
  if (t !== 'system') {
    return t;
  }
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
