import { afterEach, describe, expect, it } from 'vitest';
import { authStore } from '../auth/auth-store';
import { drafts } from './draft';

afterEach(() => authStore.signOut());

describe('composer drafts', () => {
  it('keeps the unsent text per user and session in localStorage, and clears it', () => {
    authStore.signIn({ token: 't', user: { id: 7, username: 'u', email: 'u@x.test' } });
    drafts.save('s1', 'A bakery site');
    expect(localStorage.getItem('aeio.draft.7.s1')).toBe('A bakery site');
    expect(drafts.load('s1')).toBe('A bakery site');
    expect(drafts.load('s2')).toBe('');
    drafts.clear('s1');
    expect(localStorage.getItem('aeio.draft.7.s1')).toBeNull();
  });

  it('saving an empty text removes the entry', () => {
    drafts.save('s1', 'x');
    drafts.save('s1', '');
    expect(localStorage.getItem('aeio.draft.anon.s1')).toBeNull();
  });
});
