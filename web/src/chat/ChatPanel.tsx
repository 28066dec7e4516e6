import { useEffect, useId, useRef } from 'react';
import { errorMessage } from '../api/client';
import { ModelInfo } from '../sessions/ModelInfo';
import { ModelSelect } from '../sessions/ModelSelect';
import { useModels } from '../sessions/queries';
import { Markdown } from '../ui/Markdown';
import { Composer } from './Composer';
import {
  useLatestSteps,
  useMessagePages,
  useSession,
  useSetSessionModel,
  useTurnVersions,
} from './queries';
import { Plan } from './Plan';
import { Reasoning } from './Reasoning';
import { onSendRequest } from './send-bus';
import { StepList, TurnChanges } from './Steps';
import { TurnEnd } from './TurnEnd';
import { useTurn, type LiveTurn, type Message, type Step } from './use-turn';

/**
 * A session's conversation: its messages (paged, "Load earlier"), the running turn live (text,
 * steps, end), the composer with Send/Stop, and the session's model. A turn running when the panel
 * mounts (a reload mid-turn, another tab) is followed through `latest/events`.
 */
export function ChatPanel({ sessionId }: { sessionId: string }) {
  const models = useModels();
  const session = useSession(sessionId);
  const turn = useTurn(sessionId, models.data?.configured);
  const { live, attach } = turn;
  const pages = useMessagePages(sessionId, live === null);
  const messages = (pages.data?.pages ?? [])
    .slice()
    .reverse()
    .flatMap((p) => p.items);
  const assistants = messages.filter((m) => m.role === 'assistant');
  const latestAssistant = assistants.at(-1) ?? null;
  const latestSteps = useLatestSteps(sessionId, latestAssistant !== null);
  const versions = useTurnVersions(sessionId, assistants.length > 1);
  const running = live !== null || latestAssistant?.status === 'running';
  const modelId = useId();

  // The browser tab names the open session.
  const title = session.data?.title;
  useEffect(() => {
    if (title) {
      document.title = `${title} · Aeio Dev Agent`;
      return () => {
        document.title = 'Aeio Dev Agent';
      };
    }
  }, [title]);

  // Re-attach to a turn that is running (after a reload, or started in another tab).
  const latestRunningId = latestAssistant?.status === 'running' ? latestAssistant.id : null;
  useEffect(() => {
    if (latestRunningId !== null && live === null) {
      void attach();
    }
  }, [attach, latestRunningId, live]);

  const setModel = useSetSessionModel(sessionId);

  // Scroll with the conversation while the reader is at its end (whatever grew: a message, text, a step).
  const logRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  useEffect(() => {
    const log = logRef.current;
    if (!log) {
      return;
    }
    const follow = () => {
      if (stick.current) {
        log.scrollTop = log.scrollHeight;
      }
    };
    follow();
    const observer = new MutationObserver(follow);
    observer.observe(log, { childList: true, subtree: true, characterData: true });
    return () => observer.disconnect();
  }, []);

  const shownIds = new Set(messages.map((m) => m.id));
  const liveAssistantId = live?.done?.id ?? live?.steps[0]?.message_id ?? null;
  const liveInList = live !== null && liveAssistantId !== null && shownIds.has(liveAssistantId);

  return (
    <div className="chat">
      <div className="chat-head">
        <h1 className="chat-title" title={session.data?.title}>
          {session.data?.title ?? '…'}
        </h1>
        <div className="field-inline">
          <label htmlFor={modelId}>Model</label>
          <ModelSelect
            id={modelId}
            value={session.data?.model ?? null}
            disabled={!session.data || setModel.isPending}
            onChange={(m) => setModel.mutate(m)}
          />
          <ModelInfo value={session.data?.model ?? null} />
        </div>
      </div>
      {setModel.isError && (
        <p className="error chat-alert" role="alert">
          {errorMessage(setModel.error)}
        </p>
      )}
      <div
        ref={logRef}
        className="log"
        role="log"
        aria-label="Conversation"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
        }}
      >
        {pages.hasNextPage && (
          <button
            type="button"
            className="load-earlier"
            disabled={pages.isFetchingNextPage}
            onClick={() => {
              stick.current = false;
              void pages.fetchNextPage();
            }}
          >
            {pages.isFetchingNextPage ? 'Loading…' : 'Load earlier'}
          </button>
        )}
        {pages.isPending && <p className="muted">Loading the conversation…</p>}
        {pages.isError && (
          <p className="error" role="alert">
            {errorMessage(pages.error)}
          </p>
        )}
        {pages.isSuccess && messages.length === 0 && !live && (
          <div className="chat-empty">
            <p>Describe the website you want, for example:</p>
            <p className="muted">
              “A one-page site for a bakery: a hero with the opening hours, a menu of five breads
              with prices, and a contact form.”
            </p>
          </div>
        )}
        {messages.map((m) => {
          if (m.role === 'user') {
            return <UserMessage key={m.id} text={m.content} />;
          }
          if (live && (m.status === 'running' || m.id === liveAssistantId)) {
            return <LiveAssistant key={m.id} live={live} />;
          }
          const steps: Step[] | null =
            m.id === latestAssistant?.id
              ? (latestSteps.data ?? []).filter((s) => s.message_id === m.id)
              : null;
          return (
            <AssistantMessage
              key={m.id}
              message={m}
              steps={steps}
              changes={steps === null ? (versions.data?.get(m.id) ?? null) : null}
            />
          );
        })}
        {live && !(live.user && shownIds.has(live.user.id)) && (live.user || live.sent) && (
          <UserMessage text={live.user?.content ?? live.sent ?? ''} pending={!live.user} />
        )}
        {live && !liveInList && latestRunningId === null && <LiveAssistant live={live} />}
      </div>
      {turn.alert && (
        <div className="chat-alert">
          <p className="error" role="alert">
            {turn.alert}
          </p>
          <button
            type="button"
            className="icon-button"
            aria-label="Dismiss the message"
            onClick={() => turn.setAlert(null)}
          >
            <span aria-hidden="true">×</span>
          </button>
        </div>
      )}
      <ComposerWithBus sessionId={sessionId} running={running} send={turn.send} stop={turn.stop} />
    </div>
  );
}

function ComposerWithBus({
  sessionId,
  running,
  send,
  stop,
}: {
  sessionId: string;
  running: boolean;
  send: ReturnType<typeof useTurn>['send'];
  stop: () => Promise<void>;
}) {
  // "Ask the agent to fix" (preview) and the like send through the composer's path.
  useEffect(
    () =>
      onSendRequest(sessionId, (content) => {
        void send(content, () => undefined);
      }),
    [send, sessionId],
  );
  return <Composer sessionId={sessionId} running={running} send={send} stop={stop} />;
}

function UserMessage({ text, pending = false }: { text: string; pending?: boolean }) {
  return (
    <article
      className={`message message-user${pending ? ' message-pending' : ''}`}
      aria-label="You"
    >
      <p className="message-text">{text}</p>
    </article>
  );
}

function AssistantMessage({
  message,
  steps,
  changes,
}: {
  message: Message;
  steps: Step[] | null;
  changes: Parameters<typeof TurnChanges>[0]['versions'] | null;
}) {
  return (
    <article
      className={`message message-assistant${message.status === 'failed' ? ' message-failed' : ''}`}
      aria-label="Agent"
    >
      <Reasoning text={message.reasoning} />
      <Plan items={message.plan} />
      {steps && <StepList steps={steps} />}
      {changes && <TurnChanges versions={changes} />}
      {message.content ? (
        <Markdown text={message.content} />
      ) : (
        message.status === 'running' && <p className="muted">Working…</p>
      )}
      <TurnEnd message={message} />
    </article>
  );
}

function LiveAssistant({ live }: { live: LiveTurn }) {
  const ended = live.done !== null || live.error !== null;
  const text = live.done?.content || live.text;
  return (
    <article
      className="message message-assistant message-live"
      aria-label="Agent"
      aria-busy={!ended}
    >
      <Reasoning text={live.done?.reasoning || live.reasoning} live={!ended} />
      <Plan items={live.done?.plan ?? live.plan} />
      <StepList steps={live.steps} />
      {text ? <Markdown text={text} /> : !ended && <p className="muted typing">Working…</p>}
      {live.done && <TurnEnd message={live.done} />}
      {live.error && !live.done && <p className="error">{live.error}</p>}
    </article>
  );
}
