import { useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import { drafts } from './draft';
import type { SendResult } from './use-turn';

/**
 * The message box: Enter sends, Shift+Enter starts a new line. Its text is saved per session as it
 * is typed (kept across a reload or an expired sign-in) and cleared once the service stored it.
 */
export function Composer({
  sessionId,
  running,
  send,
  stop,
}: {
  sessionId: string;
  running: boolean;
  send: (content: string, onStored: () => void) => Promise<SendResult>;
  stop: () => Promise<void>;
}) {
  const [text, setText] = useState(() => drafts.load(sessionId));
  const [stopping, setStopping] = useState(false);
  const id = useId();

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    const content = text.trim();
    if (!content || running) {
      return;
    }
    setText('');
    const result = await send(content, () => drafts.clear(sessionId));
    if (!result.stored) {
      // Not taken (busy, limited, failed): give the text back unless something new was typed.
      setText((now) => now || drafts.load(sessionId) || content);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void submit();
    }
  };

  return (
    <form className="composer" onSubmit={(e) => void submit(e)}>
      <label htmlFor={id} className="visually-hidden">
        Message
      </label>
      <textarea
        id={id}
        value={text}
        rows={3}
        placeholder={running ? 'The agent is working…' : 'Describe what to build or change…'}
        aria-describedby={`${id}-hint`}
        onChange={(e) => {
          setText(e.target.value);
          drafts.save(sessionId, e.target.value);
        }}
        onKeyDown={onKeyDown}
      />
      <div className="composer-actions">
        <span id={`${id}-hint`} className="muted composer-hint">
          Enter sends · Shift+Enter for a new line
        </span>
        {running && (
          <button
            type="button"
            className="danger"
            disabled={stopping}
            onClick={() => {
              setStopping(true);
              void stop().finally(() => setStopping(false));
            }}
          >
            Stop
          </button>
        )}
        <button type="submit" className="primary" disabled={running || !text.trim()}>
          Send
        </button>
      </div>
    </form>
  );
}
