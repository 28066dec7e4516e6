/** Placeholder: built in issue 13. */
export function PreviewPanel({ sessionId }: { sessionId: string }) {
  return <p className="muted">PreviewPanel of {sessionId} is being built.</p>;
}
