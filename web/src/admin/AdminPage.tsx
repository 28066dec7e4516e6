/** Placeholder: built in issue 13. */
export function AdminPage() {
  return <p className="muted">AdminPage is being built.</p>;
}
