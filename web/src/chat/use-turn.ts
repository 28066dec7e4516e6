import { useCallback, useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, ApiError, errorMessage, unwrap } from '../api/client';
import { keys, sandboxChanged } from '../api/keys';
import type { TurnEvent } from '../api/events';
import { readTurnEvents } from '../api/sse';
import type { Step } from '../api/round3';
import { latestStepsQuery } from './queries';
import { freshTurn, reduceTurn, turnErrorText, type LiveTurn } from './turn-reducer';

export type { Message, Step } from '../api/round3';
export type { LiveTurn } from './turn-reducer';

export interface SendResult {
  /** The service stored the user message (clear the draft); otherwise give the text back. */
  stored: boolean;
}

function retryAfter(headers: Headers | undefined): string | null {
  const raw = headers?.get('Retry-After');
  if (!raw) {
    return null;
  }
  let seconds = Number(raw);
  if (!Number.isFinite(seconds)) {
    const at = Date.parse(raw);
    if (Number.isNaN(at)) {
      return null;
    }
    seconds = Math.max(0, Math.round((at - Date.now()) / 1000));
  }
  if (seconds < 90) {
    return `${seconds} second${seconds === 1 ? '' : 's'}`;
  }
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) {
    return `${minutes} minutes`;
  }
  return `${Math.round(minutes / 60)} hours`;
}

/** What a person should read when sending failed, by status. */
export function sendFailure(err: unknown, providerConfigured: boolean | undefined): string {
  if (err instanceof ApiError) {
    switch (err.status) {
      case 409:
        return 'A turn is already running in this session. Wait for it to finish, or press Stop.';
      case 429: {
        const wait = retryAfter(err.headers);
        return `${err.message}${wait ? ` Try again in ${wait}.` : ' Try again later.'}`;
      }
      case 503:
        return providerConfigured === false
          ? 'No model is configured, so the agent cannot answer. Set OPENAI_API_KEY (and OPENAI_BASE_URL for another OpenAI-compatible provider) in the service’s environment or .env and restart it. Your message was kept in the conversation.'
          : `The service is unavailable right now: ${err.message}`;
      case 502:
        return `The model provider failed: ${err.message}`;
    }
  }
  return errorMessage(err);
}

const isAbort = (err: unknown) => err instanceof DOMException && err.name === 'AbortError';

/**
 * The chat's one way to run a turn: `send` streams a new one (`stream: true`), `attach` follows a
 * running one through `latest/events`; both feed the same live view, refresh the sandbox's panels as
 * steps complete and at the end, and refresh the conversation afterwards. `stop` cancels.
 */
export function useTurn(sessionId: string, providerConfigured: boolean | undefined) {
  const client = useQueryClient();
  const [live, setLive] = useState<LiveTurn | null>(null);
  const [alert, setAlert] = useState<string | null>(null);
  const busy = useRef(false);
  const abort = useRef<AbortController | null>(null);
  const statuses = useRef(new Map<number, Step['status']>());

  // Leaving stops reading (the run goes on server-side; a later mount re-attaches). Also under
  // StrictMode's mount-unmount-mount in development, so the second mount may attach again.
  useEffect(
    () => () => {
      abort.current?.abort();
      abort.current = null;
      busy.current = false;
    },
    [],
  );

  // Side effects here (stored → clear the draft, a completed step → refresh the sandbox's panels,
  // an error → the alert); the live view itself is the pure reducer's.
  const onEvent = useCallback(
    (e: TurnEvent, onStored?: () => void) => {
      if (e.event === 'user_message') {
        onStored?.();
      } else if (e.event === 'step') {
        const before = statuses.current.get(e.data.id);
        statuses.current.set(e.data.id, e.data.status);
        if (e.data.status === 'completed' && before !== 'completed') {
          sandboxChanged(client, sessionId);
        }
      } else if (e.event === 'error') {
        setAlert(turnErrorText(e.data.detail));
      }
      setLive((t) => t && reduceTurn(t, e));
    },
    [client, sessionId],
  );

  /** The turn ended (or the stream did): refresh everything it touched, then show the stored turn. */
  const finish = useCallback(async () => {
    busy.current = false;
    abort.current = null;
    const hadSteps = statuses.current.size > 0;
    statuses.current.clear();
    sandboxChanged(client, sessionId);
    void client.invalidateQueries({ queryKey: keys.sessions });
    await client.invalidateQueries({ queryKey: keys.messages(sessionId) });
    // The stored turn shows its steps from `latest/execution-steps`. On a session's first turn that
    // query was still disabled (no assistant message listed yet), so the invalidation did not fetch
    // it: fetch it before the live view goes, or the steps vanish until it answers. (When it was
    // enabled, the invalidation just refetched it and its data is used as is.) A failure here only
    // leaves that query to load on its own.
    if (hadSteps) {
      await client
        .query({ ...latestStepsQuery(sessionId), staleTime: 'static' })
        .catch(() => undefined);
    }
    setLive(null);
  }, [client, sessionId]);

  const send = useCallback(
    async (content: string, onStored: () => void): Promise<SendResult> => {
      if (busy.current) {
        setAlert(
          'A turn is already running in this session. Wait for it to finish, or press Stop.',
        );
        return { stored: false };
      }
      busy.current = true;
      let stored = false;
      const markStored = () => {
        stored = true;
        onStored();
      };
      const controller = new AbortController();
      abort.current = controller;
      setAlert(null);
      setLive(freshTurn(content, false));
      try {
        await readTurnEvents(
          `/api/sessions/${encodeURIComponent(sessionId)}/messages`,
          { method: 'POST', body: { content, stream: true }, signal: controller.signal },
          (e) => onEvent(e, markStored),
        );
      } catch (err) {
        if (isAbort(err)) {
          return { stored };
        }
        // 503 without a provider: the user message is stored all the same.
        if (err instanceof ApiError && err.status === 503 && providerConfigured === false) {
          markStored();
        }
        // 401: the sign-in expired and the console returns to sign-in; the draft is still saved.
        if (!(err instanceof ApiError && err.status === 401)) {
          setAlert(sendFailure(err, providerConfigured));
        }
      }
      await finish();
      return { stored };
    },
    [finish, onEvent, providerConfigured, sessionId],
  );

  const attach = useCallback(async (): Promise<void> => {
    if (busy.current) {
      return;
    }
    busy.current = true;
    const controller = new AbortController();
    abort.current = controller;
    setLive(freshTurn(null, true));
    try {
      await readTurnEvents(
        `/api/sessions/${encodeURIComponent(sessionId)}/messages/latest/events`,
        { signal: controller.signal },
        (e) => onEvent(e),
      );
    } catch (err) {
      if (isAbort(err)) {
        return;
      }
      if (!(err instanceof ApiError && err.status === 401)) {
        setAlert(errorMessage(err));
      }
    }
    await finish();
  }, [finish, onEvent, sessionId]);

  const stop = useCallback(async () => {
    try {
      await unwrap(
        api.POST('/api/sessions/{id}/messages/latest/cancel', {
          params: { path: { id: sessionId } },
        }),
      );
    } catch (err) {
      setAlert(errorMessage(err));
    }
  }, [sessionId]);

  return { live, alert, setAlert, send, attach, stop };
}
