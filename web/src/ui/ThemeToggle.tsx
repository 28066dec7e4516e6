import { useId, useState } from 'react';
import { applyTheme, storedTheme, type Theme } from './theme';

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(storedTheme());
  const id = useId();
  return (
    <>
      <label htmlFor={id} className="visually-hidden">
        Theme
      </label>
      <select
        id={id}
        value={theme}
        onChange={(e) => {
          const t = e.target.value as Theme;
          setTheme(t);
          applyTheme(t);
        }}
      >
        <option value="system">System theme</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </>
  );
}
