import { afterEach } from 'vitest';

// Each test starts from empty storage and an unmounted page (drafts and open files live in storage).
// Pure tests run in plain Node (`@vitest-environment node`): no DOM to clean there.
afterEach(async () => {
  if (typeof window === 'undefined') {
    return;
  }
  const { cleanup } = await import('@testing-library/react');
  cleanup();
  localStorage.clear();
  sessionStorage.clear();
});
