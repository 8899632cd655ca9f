// Dormant seats (owners): members idle for N days, from the server's last-activity record, and
// suspending them in one step after a confirmation. The server never suspends the caller or the
// last active owner, and says who it kept.
import { useEffect, useRef, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { DormantSuspended, StudioView } from '@backlot/api';
import { api } from '../../app/api.ts';
import { keys } from '../../app/query.ts';
import { useAction } from '../../app/use-action.ts';
import { Field } from '../../ui/forms.tsx';
import { Loading, LoadError } from '../../ui/page.tsx';
import { SettingsPanel } from '../../ui/SettingsLayout.tsx';
import { identityKeys } from './identity-keys.ts';
import { date, STUDIO_ROLE_NAMES } from './words.ts';

export function DormantSeats({ studio }: { studio: StudioView }) {
  const qc = useQueryClient();
  const [typed, setTyped] = useState('90');
  const [days, setDays] = useState<number | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<DormantSuspended | null>(null);
  const seats = useQuery({ queryKey: identityKeys.dormant(studio.id, days ?? 0), queryFn: async () => (await api.studioMembers.dormant(studio.id, days!)).seats, enabled: days !== null, staleTime: 0 });
  const action = useAction();
  const find = (e: React.FormEvent) => {
    e.preventDefault();
    const n = Number(typed);
    if (!Number.isInteger(n) || n < 1) return setProblem('Enter a whole number of days, 1 or more.');
    setProblem(null);
    setOutcome(null);
    setDays(n);
    void qc.invalidateQueries({ queryKey: identityKeys.dormant(studio.id, n) });
  };
  const suspend = () => action.run(async () => {
    const list = seats.data ?? [];
    try {
      setOutcome(await api.studioMembers.suspendDormant(studio.id, { days: days!, userIds: list.map((s) => s.userId) }));
    } finally {
      setConfirming(false);
      await Promise.all([
        qc.invalidateQueries({ queryKey: keys.studioMembers(studio.id) }),
        qc.invalidateQueries({ queryKey: ['dormant-seats', studio.id] }),
      ]);
    }
  });
  const list = seats.data ?? [];
  return (
    <SettingsPanel title="Dormant seats" intro="Members with no sign-in, session or token use for a while. Suspended members lose access on their next request; their work stays, and you can reactivate them above.">
      <form onSubmit={find} noValidate className="form-row dormant-form">
        <Field label="Idle for at least (days)" name="days" type="number" min={1} inputMode="numeric" value={typed} onChange={(e) => setTyped(e.target.value)} error={problem} />
        <button type="submit" className="button">Find idle seats</button>
      </form>
      {outcome && (
        <p className="notice notice--info" role="status">
          Suspended {outcome.suspended.length} {outcome.suspended.length === 1 ? 'seat' : 'seats'}.
          {outcome.kept.length > 0 && ` Kept ${outcome.kept.map((k) => keptWhy(k.reason)).join('; ')}.`}
        </p>
      )}
      {action.error && <p className="notice notice--error" role="alert">{action.error}</p>}
      {days === null ? null : seats.isPending ? <Loading label="Looking for idle seats…" /> : seats.isError ? <LoadError error={seats.error} retry={() => void seats.refetch()} />
        : list.length === 0 ? <p className="muted" role="status">No active seat has been idle for {days} days.</p> : (
          <>
            <table className="table table--compact">
              <caption className="visually-hidden">Seats idle for at least {days} days</caption>
              <thead><tr><th scope="col">Name</th><th scope="col">Studio role</th><th scope="col">Last active</th><th scope="col">Joined</th></tr></thead>
              <tbody>
                {list.map((s) => (
                  <tr key={s.userId}>
                    <td><span className="table__strong">{s.name}</span><span className="table__sub">{s.email}</span></td>
                    <td>{STUDIO_ROLE_NAMES[s.role]}</td>
                    <td>{s.lastActiveAt ? date(s.lastActiveAt) : <span className="muted">Never</span>}</td>
                    <td>{date(s.joinedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="form-actions">
              <button type="button" className="button button--danger" disabled={action.busy} onClick={() => setConfirming(true)}>
                Suspend {list.length === 1 ? 'this seat' : `these ${list.length} seats`}…
              </button>
            </div>
          </>
        )}
      {confirming && <ConfirmSuspend count={list.length} days={days!} busy={action.busy} onConfirm={() => void suspend()} onClose={() => setConfirming(false)} />}
    </SettingsPanel>
  );
}

const keptWhy = (reason: string) => (reason === 'self' ? 'your own seat' : reason === 'last_owner' ? 'the last active owner' : `one seat (${reason.replace(/_/g, ' ')})`);

function ConfirmSuspend({ count, days, busy, onConfirm, onClose }: { count: number; days: number; busy: boolean; onConfirm(): void; onClose(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="suspend-title" aria-describedby="suspend-sub" onClose={onClose}>
      <h2 id="suspend-title" className="dialog__title">Suspend {count === 1 ? 'one seat' : `${count} seats`}?</h2>
      <p id="suspend-sub" className="dialog__sub">
        {count === 1 ? 'This member has' : `These ${count} members have`} not used Backlot for {days} days or more. They lose access on their next request; their work and history stay. The suspensions are recorded in the audit log.
      </p>
      <div className="dialog__actions">
        <button type="button" className="button" onClick={() => dialog.current?.close()}>Cancel</button>
        <button type="button" className="button button--danger button--primary" disabled={busy} onClick={onConfirm}>
          {busy ? 'Suspending…' : `Suspend ${count === 1 ? 'seat' : `${count} seats`}`}
        </button>
      </div>
    </dialog>
  );
}
