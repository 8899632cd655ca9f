// One button's (or one row's) action against the server: busy while it runs, and the refusal's
// words kept until the next try. Nothing on the page is reset on a refusal.
import { useState } from 'react';
import { messageOf } from './errors.ts';

export interface ActionState {
  busy: boolean;
  error: string | null;
  /** Runs `fn`; a refusal becomes `error` (worded by `explain`, or by messageOf). */
  run(fn: () => Promise<unknown>): Promise<boolean>;
  clear(): void;
}

export function useAction(explain: (err: unknown) => string = messageOf): ActionState {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return {
    busy,
    error,
    clear: () => setError(null),
    run: async (fn) => {
      setBusy(true);
      setError(null);
      try {
        await fn();
        return true;
      } catch (err) {
        setError(explain(err));
        return false;
      } finally {
        setBusy(false);
      }
    },
  };
}
