/** Placeholder: built in issue 13. */
export function SessionSidebar(props: {
  id: string;
  open: boolean;
  selectedId: string | null;
  onSelect: () => void;
}) {
  return (
    <nav id={props.id} className={props.open ? 'sidebar open' : 'sidebar'} aria-label="Sessions">
      <p className="muted">{props.selectedId ?? 'No session selected'}</p>
    </nav>
  );
}
