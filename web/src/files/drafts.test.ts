import { act, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { authStore } from '../auth/auth-store';
import { draftStore, useDrafts } from './drafts';

const signIn = (id: number) =>
  authStore.signIn({ token: `t${id}`, user: { id, username: `u${id}`, email: `u${id}@x.test` } });

afterEach(() => {
  draftStore.discard('s1', 'a.html');
  draftStore.discard('s1', 'b.html');
  authStore.signOut();
});

describe('draftStore', () => {
  it('keeps a draft per session and file, and in sessionStorage for a reload', () => {
    signIn(1);
    draftStore.set('s1', 'a.html', { content: 'x', baseEtag: '"v1"' });
    expect(draftStore.get('s1', 'a.html')).toEqual({ content: 'x', baseEtag: '"v1"' });
    expect(draftStore.get('s2', 'a.html')).toBeUndefined();
    const stored = JSON.parse(sessionStorage.getItem('aeio.drafts') ?? '{}') as Record<
      string,
      unknown
    >;
    expect(stored['1:s1']).toEqual({ 'a.html': { content: 'x', baseEtag: '"v1"' } });
  });

  it('belongs to the signed-in user: another sign-in in the tab does not see it', () => {
    signIn(1);
    draftStore.set('s1', 'a.html', { content: 'mine', baseEtag: null });
    signIn(2);
    expect(draftStore.get('s1', 'a.html')).toBeUndefined();
    signIn(1);
    expect(draftStore.get('s1', 'a.html')?.content).toBe('mine');
  });

  it('discards one file’s draft and leaves the others', () => {
    signIn(1);
    draftStore.set('s1', 'a.html', { content: 'a', baseEtag: null });
    draftStore.set('s1', 'b.html', { content: 'b', baseEtag: null });
    draftStore.discard('s1', 'a.html');
    expect(draftStore.get('s1', 'a.html')).toBeUndefined();
    expect(draftStore.get('s1', 'b.html')?.content).toBe('b');
  });
});

describe('useDrafts', () => {
  it('re-renders with the session’s drafts as they change', () => {
    signIn(1);
    const { result } = renderHook(() => useDrafts('s1'));
    expect(result.current).toEqual({});
    act(() => draftStore.set('s1', 'a.html', { content: 'a', baseEtag: '"v1"' }));
    expect(Object.keys(result.current)).toEqual(['a.html']);
    act(() => draftStore.discard('s1', 'a.html'));
    expect(result.current).toEqual({});
  });

  it('gives the same object while nothing changed (no render loop)', () => {
    signIn(1);
    const { result, rerender } = renderHook(() => useDrafts('s1'));
    const first = result.current;
    rerender();
    expect(result.current).toBe(first);
  });
});
