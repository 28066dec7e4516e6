import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// Each test starts from empty storage and an unmounted page (drafts and open files live in storage).
afterEach(() => {
  cleanup();
  localStorage.clear();
  sessionStorage.clear();
});
