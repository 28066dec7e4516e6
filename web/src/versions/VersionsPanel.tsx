/** Placeholder: built in issue 13. */
export function VersionsPanel({ sessionId }: { sessionId: string }) {
  return <p className="muted">VersionsPanel of {sessionId} is being built.</p>;
}
