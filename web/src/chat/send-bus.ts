/**
 * Other panels ask the chat to send a message (the preview's "Ask the agent to fix") through one
 * window event, so the message goes through the composer's one send path (streamed, with its errors).
 */
const EVENT = 'aeio:send-message';

export interface SendRequest {
  sessionId: string;
  content: string;
}

export function requestSend(sessionId: string, content: string): void {
  window.dispatchEvent(new CustomEvent<SendRequest>(EVENT, { detail: { sessionId, content } }));
}

export function onSendRequest(sessionId: string, handler: (content: string) => void): () => void {
  const listener = (e: Event) => {
    const detail = (e as CustomEvent<SendRequest>).detail;
    if (detail?.sessionId === sessionId && typeof detail.content === 'string') {
      handler(detail.content);
    }
  };
  window.addEventListener(EVENT, listener);
  return () => window.removeEventListener(EVENT, listener);
}
