/** Placeholder: built in issue 13. */
export function FilesPanel({ sessionId }: { sessionId: string }) {
  return <p className="muted">FilesPanel of {sessionId} is being built.</p>;
}
