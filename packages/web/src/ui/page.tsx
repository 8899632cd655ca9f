// Page furniture: the document title, loading and error states, the centred card of the
// signed-out pages.
import { useEffect, type ReactNode } from 'react';
import { messageOf } from '../app/errors.ts';

export function useTitle(title: string) {
  useEffect(() => {
    document.title = title ? `${title} · Backlot` : 'Backlot';
  }, [title]);
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return <p className="loading" role="status">{label}</p>;
}

export function LoadError({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div className="notice notice--error" role="alert">
      <p>{messageOf(error)}</p>
      {retry && <button type="button" className="button" onClick={retry}>Try again</button>}
    </div>
  );
}

/** The signed-out pages (setup, sign-in, invitation): the brand and one card. */
export function AuthCard({ title, children, wide }: { title: string; children: ReactNode; wide?: boolean }) {
  useTitle(title);
  return (
    <div className="auth">
      <main className={`auth__card${wide ? ' auth__card--wide' : ''}`}>
        <p className="brand brand--large" aria-hidden="true"><span className="brand__mark">B</span> Backlot</p>
        <h1>{title}</h1>
        {children}
      </main>
    </div>
  );
}

/** The outcome of an action on a busy page (a move, a request): said once, dismissable. */
export interface Notice {
  kind: 'error' | 'info';
  text: string;
}

export function NoticeBar({ notice, onDismiss }: { notice: Notice | null; onDismiss(): void }) {
  if (!notice) return null;
  return (
    <div className={`notice notice--${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
      <p>{notice.text}</p>
      <button type="button" className="button button--quiet button--small" onClick={onDismiss}>Dismiss</button>
    </div>
  );
}
