import { useModels } from './queries';

/**
 * A `<select>` of the models a session may use; "" stands for the default (`model: null`).
 * Label it from outside (`<label htmlFor={id}>Model</label>`).
 */
export function ModelSelect({
  id,
  value,
  onChange,
  disabled,
  describedBy,
}: {
  id: string;
  value: string | null;
  onChange: (model: string | null) => void;
  disabled?: boolean;
  /** The id of a text that describes the chosen model (its profile). */
  describedBy?: string;
}) {
  const models = useModels();
  const list = models.data?.models ?? [];
  const fallback = list.find((m) => m.default)?.id;
  const known = value === null || list.some((m) => m.id === value);
  return (
    <select
      id={id}
      value={value ?? ''}
      disabled={disabled}
      aria-describedby={describedBy}
      onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)}
    >
      <option value="">{fallback ? `Default (${fallback})` : 'Default model'}</option>
      {list.map((m) => (
        <option key={m.id} value={m.id}>
          {m.id}
        </option>
      ))}
      {!known && value !== null && <option value={value}>{value}</option>}
    </select>
  );
}
