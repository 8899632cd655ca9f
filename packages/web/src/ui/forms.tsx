// Form building blocks: every control has a visible label, and a problem with a field is shown
// under it (aria-describedby + aria-invalid), so screen readers hear it with the field.
import { useId, useState, type InputHTMLAttributes, type ReactNode } from 'react';

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  label: string;
  error?: string | null;
  hint?: ReactNode;
}

export function Field({ label, error: given, hint, className, ...input }: FieldProps) {
  const id = useId();
  // A problem stays until the user changes the field: then they are fixing it, and the message
  // about the old value would only be noise (the next submit tells them again if need be).
  const [seen, setSeen] = useState<{ error: string; value: unknown } | null>(null);
  if (given && seen?.error !== given) setSeen({ error: given, value: input.value });
  if (!given && seen) setSeen(null);
  const error = given && (seen?.error !== given || seen.value === input.value) ? given : null;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field--invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint && <p className="field__hint" id={hintId}>{hint}</p>}
      {error && <p className="field__error" id={errorId}>{error}</p>}
    </div>
  );
}

/** A problem with the whole form (not one field), announced when it appears. */
export function FormError({ children }: { children?: ReactNode }) {
  if (!children) return null;
  return <div className="notice notice--error" role="alert">{children}</div>;
}

export function SubmitButton({ busy, children }: { busy: boolean; children: ReactNode }) {
  return (
    <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
      {busy ? 'Working…' : children}
    </button>
  );
}
