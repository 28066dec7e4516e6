import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useOpenFiles } from './open-files';

describe('useOpenFiles', () => {
  it('selecting a file expands the folders that hold it', () => {
    const { result } = renderHook(() => useOpenFiles('s1'));
    act(() => result.current.select('a/b/c.txt'));
    expect(result.current.selected).toBe('a/b/c.txt');
    expect([...result.current.expanded].sort()).toEqual(['a', 'a/b']);
  });

  it('toggles folders, and clears the selection', () => {
    const { result } = renderHook(() => useOpenFiles('s1'));
    act(() => result.current.toggle('css', true));
    expect(result.current.expanded.has('css')).toBe(true);
    act(() => result.current.toggle('css', false));
    expect(result.current.expanded.has('css')).toBe(false);
    act(() => result.current.select('x.html'));
    act(() => result.current.clear());
    expect(result.current.selected).toBeNull();
  });

  it('is remembered per session for the tab (a remount finds it again)', () => {
    const first = renderHook(() => useOpenFiles('s1'));
    act(() => first.result.current.select('css/site.css'));
    first.unmount();
    const again = renderHook(() => useOpenFiles('s1'));
    expect(again.result.current.selected).toBe('css/site.css');
    expect(again.result.current.expanded.has('css')).toBe(true);
    const other = renderHook(() => useOpenFiles('s2'));
    expect(other.result.current.selected).toBeNull();
  });

  it('survives unreadable storage', () => {
    sessionStorage.setItem('aeio.files-open', '{not json');
    const { result } = renderHook(() => useOpenFiles('s1'));
    expect(result.current.selected).toBeNull();
  });
});
