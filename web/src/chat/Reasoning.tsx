/**
 * The model's reasoning ("thinking"), collapsed: a native disclosure, so it is a labelled button
 * that Enter and Space open, with no script. While the turn streams it says "Thinking…".
 */
export function Reasoning({
  text,
  live = false,
}: {
  text: string | null | undefined;
  live?: boolean;
}) {
  if (!text) {
    return null;
  }
  return (
    <details className="reasoning">
      <summary>{live ? 'Thinking…' : 'Thinking'}</summary>
      <p className="reasoning-text">{text}</p>
    </details>
  );
}
