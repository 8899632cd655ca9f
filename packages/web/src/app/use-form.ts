// One form's submit state: busy, the refusal's message, and which field it is about. The typed
// values stay in their inputs whatever the server answers, so nothing is lost on a refusal.
import { useState, type FormEvent } from 'react';
import { fieldOf, messageOf } from './errors.ts';

export interface FormState {
  busy: boolean;
  /** The refusal's message for `field`, or for the form when it names no known field. */
  errorFor(field: string): string | null;
  formError: string | null;
  /** Problems found before sending (empty field, ...), shown like the server's. */
  setProblem(field: string, message: string): void;
  onSubmit(run: () => Promise<void>): (e: FormEvent) => void;
}

export function useForm(fields: readonly string[], fieldForCode: Record<string, string> = {}): FormState {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ field: string | null; message: string } | null>(null);
  return {
    busy,
    errorFor: (field) => (error?.field === field ? error.message : null),
    formError: error && error.field === null ? error.message : null,
    setProblem: (field, message) => setError({ field, message }),
    onSubmit: (run) => (e) => {
      e.preventDefault();
      if (busy) return;
      setBusy(true);
      setError(null);
      run().catch((err: unknown) => {
        const named = fieldOf(err);
        const code = (err as { code?: string }).code;
        const field = named && fields.includes(named) ? named : code && fieldForCode[code] ? fieldForCode[code] : null;
        setError({ field, message: messageOf(err) });
      }).finally(() => setBusy(false));
    },
  };
}
