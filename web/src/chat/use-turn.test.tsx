import { act, renderHook, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import { keys } from '../api/keys';
import { eventStream, json, stubFetch } from '../test/fetch';
import { message, step } from '../test/fixtures';
import { testClient, withClient } from '../test/query';
import { latestStepsQuery } from './queries';
import { sendFailure, useTurn } from './use-turn';

function setup(configured: boolean | undefined = true) {
  const client = testClient();
  const rendered = renderHook(() => useTurn('s1', configured), { wrapper: withClient(client) });
  return { client, ...rendered };
}

describe('useTurn.send', () => {
  it('streams the turn into the live view: user message, reasoning, plan, steps, text, end', async () => {
    const stream = eventStream();
    const calls = stubFetch((call) =>
      call.url.endsWith('/latest/execution-steps') ? json([]) : stream.response,
    );
    const { result, client } = setup();
    const invalidate = vi.spyOn(client, 'invalidateQueries');
    const sandbox = vi.fn();
    window.addEventListener('aeio:sandbox-changed', sandbox);
    const onStored = vi.fn();

    let sent!: Promise<{ stored: boolean }>;
    act(() => {
      sent = result.current.send('Build a bakery site', onStored);
    });
    expect(result.current.live).toMatchObject({ sent: 'Build a bakery site', attached: false });
    expect(calls[0]).toMatchObject({ url: '/api/sessions/s1/messages', method: 'POST' });
    expect(JSON.parse(String(calls[0].body))).toEqual({
      content: 'Build a bakery site',
      stream: true,
    });

    const user = message({ id: 1, role: 'user', status: 'completed', content: 'Build' });
    const plan = [
      { text: 'Write index.html', status: 'in_progress' },
      { text: 'Write style.css', status: 'pending' },
    ];
    act(() => {
      stream.send('user_message', user);
      stream.send('reasoning', { content: 'A bakery: ' });
      stream.send('reasoning', { content: 'hours, menu.' });
      stream.send('plan', { items: plan });
      stream.send('step', step({ id: 5, status: 'running' }));
      stream.send('delta', { content: 'Writing the page.' });
      stream.send('queued', { position: 2 }); // unknown to this console: skipped
    });
    await waitFor(() => expect(result.current.live?.text).toBe('Writing the page.'));
    expect(onStored).toHaveBeenCalledTimes(1);
    expect(result.current.live).toMatchObject({
      user,
      reasoning: 'A bakery: hours, menu.',
      plan,
      steps: [expect.objectContaining({ id: 5, status: 'running' })],
    });
    expect(sandbox).not.toHaveBeenCalled();

    act(() => stream.send('step', step({ id: 5, status: 'completed', progress: 100 })));
    await waitFor(() => expect(sandbox).toHaveBeenCalledTimes(1));
    // the same completed step again (a re-sent state) does not refresh the panels again
    act(() => stream.send('step', step({ id: 5, status: 'completed', progress: 100 })));

    const done = message({ status: 'completed', content: 'Done.', reasoning: 'A bakery…' });
    act(() => stream.send('done', done));
    await waitFor(() => expect(result.current.live?.done).toEqual(done));

    act(() => stream.end());
    await act(async () => expect(await sent).toEqual({ stored: true }));
    expect(result.current.live).toBeNull();
    expect(result.current.alert).toBeNull();
    expect(invalidate).toHaveBeenCalledWith({ queryKey: keys.messages('s1') });
    // once for the completed step, once at the end
    expect(sandbox).toHaveBeenCalledTimes(2);
    window.removeEventListener('aeio:sandbox-changed', sandbox);
  });

  it('has the stored steps at hand when the live view goes, on a session’s first turn too', async () => {
    // The first turn's stored view reads `latest/execution-steps` through a query that was still
    // disabled while the turn ran (no assistant message listed yet): dropping the live view before
    // it is fetched showed the finished turn without its steps until it answered.
    const stream = eventStream();
    const stored = [
      step({ id: 5, status: 'completed', progress: 100 }),
      step({ id: 6, status: 'completed', progress: 100, tool_arguments: { filename: 'a.css' } }),
    ];
    const calls = stubFetch((call) =>
      call.url.endsWith('/latest/execution-steps') ? json(stored) : stream.response,
    );
    const { result, client } = setup();
    let sent!: Promise<{ stored: boolean }>;
    act(() => {
      sent = result.current.send('Build', () => undefined);
    });
    act(() => {
      stream.send('user_message', message({ id: 1, role: 'user', status: 'completed' }));
      for (const s of stored) {
        stream.send('step', s);
      }
      stream.send('done', message({ status: 'completed', content: 'Done.' }));
      stream.end();
    });
    await act(async () => expect(await sent).toEqual({ stored: true }));
    expect(result.current.live).toBeNull();
    expect(client.getQueryData(latestStepsQuery('s1').queryKey)).toEqual(stored);
    expect(calls.filter((c) => c.url.endsWith('/latest/execution-steps'))).toHaveLength(1);
  });

  it('shows an error event in the live view and as the alert', async () => {
    const stream = eventStream();
    stubFetch(() => stream.response);
    const { result } = setup();
    let sent!: Promise<{ stored: boolean }>;
    act(() => {
      sent = result.current.send('hi', () => undefined);
    });
    act(() => stream.send('error', { detail: 'The model provider failed' }));
    await waitFor(() => expect(result.current.live?.error).toBe('The model provider failed'));
    expect(result.current.alert).toBe('The model provider failed');
    act(() => stream.end());
    await act(async () => expect(await sent).toEqual({ stored: false }));
  });

  it('refuses a second send while one runs, and says why a send failed', async () => {
    const stream = eventStream();
    stubFetch(() => stream.response);
    const { result } = setup();
    let first!: Promise<{ stored: boolean }>;
    act(() => {
      first = result.current.send('one', () => undefined);
    });
    let second!: { stored: boolean };
    await act(async () => {
      second = await result.current.send('two', () => undefined);
    });
    expect(second).toEqual({ stored: false });
    expect(result.current.alert).toMatch(/already running/);
    act(() => stream.end());
    await act(() => first);
  });

  it('keeps the text (not stored) on a 409, with the reason', async () => {
    stubFetch(json({ detail: 'busy' }, 409));
    const { result } = setup();
    let outcome!: { stored: boolean };
    await act(async () => {
      outcome = await result.current.send('hi', () => undefined);
    });
    expect(outcome).toEqual({ stored: false });
    expect(result.current.alert).toMatch(/already running/);
    expect(result.current.live).toBeNull();
  });
});

describe('useTurn.attach', () => {
  it('follows a running turn through latest/events', async () => {
    const stream = eventStream();
    const calls = stubFetch(() => stream.response);
    const { result } = setup();
    let attached!: Promise<void>;
    act(() => {
      attached = result.current.attach();
    });
    expect(calls[0]).toMatchObject({
      url: '/api/sessions/s1/messages/latest/events',
      method: 'GET',
    });
    act(() => stream.send('reasoning', { content: 'still thinking' }));
    await waitFor(() => expect(result.current.live?.reasoning).toBe('still thinking'));
    expect(result.current.live?.attached).toBe(true);
    act(() => stream.end());
    await act(() => attached);
    expect(result.current.live).toBeNull();
  });
});

describe('sendFailure', () => {
  it('explains each status a person can act on', () => {
    expect(sendFailure(new ApiError(409, 'x'), true)).toMatch(/already running/);
    expect(
      sendFailure(
        new ApiError(429, 'Daily cap reached.', [], new Headers({ 'Retry-After': '30' })),
        true,
      ),
    ).toBe('Daily cap reached. Try again in 30 seconds.');
    expect(
      sendFailure(
        new ApiError(429, 'Slow down.', [], new Headers({ 'Retry-After': '7200' })),
        true,
      ),
    ).toBe('Slow down. Try again in 2 hours.');
    expect(sendFailure(new ApiError(429, 'Slow down.'), true)).toBe('Slow down. Try again later.');
    expect(sendFailure(new ApiError(503, 'x'), false)).toMatch(/No model is configured/);
    expect(sendFailure(new ApiError(503, 'Draining'), true)).toBe(
      'The service is unavailable right now: Draining',
    );
    expect(sendFailure(new ApiError(502, 'timeout'), true)).toBe(
      'The model provider failed: timeout',
    );
    expect(sendFailure(new TypeError('fetch failed'), true)).toMatch(/could not be reached/);
  });
});
