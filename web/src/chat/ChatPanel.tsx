/** Placeholder: built in issue 13. */
export function ChatPanel({ sessionId }: { sessionId: string }) {
  return <p className="muted">ChatPanel of {sessionId} is being built.</p>;
}
