import { act, renderHook, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { keys } from '../api/keys';
import { json, stubFetch } from '../test/fetch';
import { testClient, withClient } from '../test/query';
import { useSession, useSetSessionModel } from './queries';

const session = {
  id: 's1',
  title: 'Bakery',
  model: null,
  created_at: '2026-12-07T10:00:00.000Z',
  updated_at: '2026-12-07T10:00:00.000Z',
};

describe('useSession', () => {
  it('reads the session', async () => {
    const calls = stubFetch(json(session));
    const client = testClient();
    const { result } = renderHook(() => useSession('s1'), { wrapper: withClient(client) });
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(result.current.data).toEqual(session);
    expect(calls[0].url).toMatch(/\/api\/sessions\/s1$/);
  });
});

describe('useSetSessionModel', () => {
  it('PATCHes the model, caches the answer and refreshes the session list', async () => {
    const updated = { ...session, model: 'o3-mini' };
    const calls = stubFetch(json(updated));
    const client = testClient();
    const invalidate = vi.spyOn(client, 'invalidateQueries');
    const { result } = renderHook(() => useSetSessionModel('s1'), {
      wrapper: withClient(client),
    });
    await act(() => result.current.mutateAsync('o3-mini'));
    expect(calls[0]).toMatchObject({ method: 'PATCH' });
    expect(JSON.parse(String(calls[0].body))).toEqual({ model: 'o3-mini' });
    expect(client.getQueryData(keys.session('s1'))).toEqual(updated);
    expect(invalidate).toHaveBeenCalledWith({ queryKey: keys.sessions });
  });
});
