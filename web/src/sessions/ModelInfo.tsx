import { useEffect, useRef } from 'react';
import { useModels } from './queries';
import { modelFor, profileRows } from './model-profile';

/**
 * A small "about this model" disclosure next to the model picker: the profile the service uses for
 * the chosen model (or the default), with what it learned from the provider marked. A native
 * <details>, so it is a labelled button for keyboard and screen readers; Escape or a click outside
 * closes it. Renders nothing for a server that reports no profile.
 */
export function ModelInfo({ value }: { value: string | null }) {
  const models = useModels();
  const model = modelFor(models.data?.models ?? [], value);
  const rows = profileRows(model);
  const ref = useRef<HTMLDetailsElement>(null);

  useEffect(() => {
    const close = (e: PointerEvent) => {
      const details = ref.current;
      if (details?.open && e.target instanceof Node && !details.contains(e.target)) {
        details.open = false;
      }
    };
    document.addEventListener('pointerdown', close);
    return () => document.removeEventListener('pointerdown', close);
  }, []);

  if (!model || rows.length === 0) {
    return null;
  }
  return (
    <details
      ref={ref}
      className="model-info"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && ref.current?.open) {
          e.preventDefault();
          e.stopPropagation();
          ref.current.open = false;
          ref.current.querySelector('summary')?.focus();
        }
      }}
    >
      <summary aria-label={`About ${model.id}`} title={`About ${model.id}`}>
        <span aria-hidden="true">i</span>
      </summary>
      <div className="model-info-panel">
        <p className="model-info-title">{model.id}</p>
        <dl>
          {rows.map((r) => (
            <div key={r.label} className="model-info-row">
              <dt>{r.label}</dt>
              <dd>
                {r.value}
                {r.learned && <span className="learned-badge"> learned</span>}
              </dd>
            </div>
          ))}
        </dl>
        {rows.some((r) => r.learned) && (
          <p className="muted small">Learned: from the provider’s own answers, not configured.</p>
        )}
      </div>
    </details>
  );
}
