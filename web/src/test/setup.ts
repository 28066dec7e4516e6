import { afterEach, beforeEach } from 'vitest';
import { installFetch, resetFetch } from './fetch';

// Pure tests run in plain Node (`@vitest-environment node`): no DOM there.
const dom = typeof window !== 'undefined';

// No network in unit tests: a request a test did not stub fails loudly instead of going out.
installFetch();
beforeEach(resetFetch);

// Each test starts from empty storage and an unmounted page (drafts and open files live in storage).
afterEach(async () => {
  if (!dom) {
    return;
  }
  const { cleanup } = await import('@testing-library/react');
  cleanup();
  localStorage.clear();
  sessionStorage.clear();
});
