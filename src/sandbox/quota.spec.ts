import { describe, expect, it } from '@jest/globals';
import { quotaProblem } from './quota.js';

const limits = { maxFileBytes: 100, maxSessionBytes: 250 };

describe('quotaProblem', () => {
  it('lets a file of exactly the per-file limit through', () => {
    expect(quotaProblem({ sessionBytes: 0, oldSize: 0, newSize: 100 }, limits)).toBeNull();
  });

  it('refuses a file one byte over the per-file limit', () => {
    expect(quotaProblem({ sessionBytes: 0, oldSize: 0, newSize: 101 }, limits)).toMatch(/per file/);
  });

  it('fills the session exactly to its limit', () => {
    expect(quotaProblem({ sessionBytes: 150, oldSize: 0, newSize: 100 }, limits)).toBeNull();
  });

  it('refuses a new file that would take the session over its limit', () => {
    expect(quotaProblem({ sessionBytes: 200, oldSize: 0, newSize: 51 }, limits)).toMatch(
      /per session/,
    );
  });

  it('counts the replaced file as freed when judging a growing overwrite', () => {
    expect(quotaProblem({ sessionBytes: 250, oldSize: 50, newSize: 50 }, limits)).toBeNull();
    expect(quotaProblem({ sessionBytes: 240, oldSize: 40, newSize: 50 }, limits)).toBeNull();
    expect(quotaProblem({ sessionBytes: 245, oldSize: 40, newSize: 50 }, limits)).toMatch(
      /per session/,
    );
  });

  it('always lets a shrinking overwrite through, even in a session already over a lowered limit', () => {
    expect(quotaProblem({ sessionBytes: 400, oldSize: 90, newSize: 10 }, limits)).toBeNull();
  });
});
