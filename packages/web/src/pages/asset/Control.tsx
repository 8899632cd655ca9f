// Who holds the task (its soft lock) and how that changes: ask the holder for it, answer the
// requests for it (when it is yours), hand it off to another member, or take it over (with
// assignment.take_over, or self-assign an unassigned one). Each is offered only when the caller's
// permissions allow it; the server decides and its refusals are shown here.
import { useId, useState } from 'react';
import type { AssetDetail, ProjectMember } from '@backlot/api';
import { api } from '../../app/api.ts';
import { messageOf } from '../../app/errors.ts';
import type { AssetRules } from './can.ts';

interface Props {
  projectId: string;
  asset: AssetDetail;
  meId: string;
  members: ProjectMember[];
  rules: AssetRules;
  onChanged(): Promise<void>;
}

export function Control({ projectId, asset, meId, members, rules, onChanged }: Props) {
  const [message, setMessage] = useState('');
  const [handTo, setHandTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'error' | 'info'; text: string } | null>(null);
  const msgId = useId();
  const handId = useId();
  const holder = asset.assigneeId === meId ? 'You' : asset.assigneeName ?? (asset.assigneeId ? 'Someone' : null);
  const run = async (what: () => Promise<unknown>, done: string, failed: string, after?: () => void) => {
    setBusy(true);
    setNotice(null);
    try {
      await what();
      after?.();
      setNotice({ kind: 'info', text: done });
      await onChanged();
    } catch (err) {
      setNotice({ kind: 'error', text: `${failed}: ${messageOf(err)}` }); // typed message and choice stay
    } finally {
      setBusy(false);
    }
  };
  if (asset.kind !== 'task') return null;
  const others = members.filter((m) => m.userId !== meId);
  return (
    <section className="panel" aria-labelledby="control-title">
      <h2 id="control-title" className="panel__title">Control</h2>
      <p className="control__holder">{holder ? <><strong>{holder}</strong> {holder === 'You' ? 'hold' : 'holds'} this task (only the holder can make checkpoints).</> : <>Nobody holds this task.</>}</p>
      {asset.pendingRequests.length > 0 && (
        <ul className="control__requests" aria-label="Pending requests">
          {asset.pendingRequests.map((r) => (
            <li key={r.id} className="requests__item requests__item--incoming">
              <p><strong>{r.requester.id === meId ? 'You' : r.requester.name ?? 'Someone'}</strong> asked for it{r.message ? `: “${r.message}”` : '.'}</p>
              <div className="requests__actions">
                {rules.holder && <>
                  <button type="button" className="button button--primary button--small" disabled={busy}
                    onClick={() => void run(() => api.production.acceptControl(projectId, r.id), `The task now belongs to ${r.requester.name ?? 'them'}.`, 'The request could not be accepted')}
                    aria-label={`Accept: hand the task to ${r.requester.name ?? 'the requester'}`}>Accept</button>
                  <button type="button" className="button button--small" disabled={busy}
                    onClick={() => void run(() => api.production.declineControl(projectId, r.id), 'You kept the task.', 'The request could not be declined')}
                    aria-label={`Decline the request of ${r.requester.name ?? 'the requester'}`}>Decline</button>
                </>}
                {r.requester.id === meId && rules.cancel(meId) && (
                  <button type="button" className="button button--small" disabled={busy}
                    onClick={() => void run(() => api.production.cancelControl(projectId, r.id), 'Your request is withdrawn.', 'The request could not be withdrawn')}>Cancel my request</button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {rules.request && asset.assigneeId && (
        <form className="control__form" onSubmit={(e) => {
          e.preventDefault();
          void run(() => api.production.requestControl(projectId, asset.id, message.trim() ? { message: message.trim() } : {}), `You asked ${holder} for this task.`, 'The request was not sent', () => setMessage(''));
        }}>
          <div className="field">
            <label htmlFor={msgId}>Message to {holder} (optional)</label>
            <input id={msgId} value={message} maxLength={2000} onChange={(e) => setMessage(e.target.value)} placeholder="Why you need it" />
          </div>
          <button type="submit" className="button" disabled={busy}>Request control</button>
        </form>
      )}
      {rules.holder && others.length > 0 && (
        <form className="control__form" onSubmit={(e) => {
          e.preventDefault();
          const to = members.find((m) => m.userId === handTo);
          if (!to) return setNotice({ kind: 'error', text: 'Choose who to hand the task to.' });
          void run(() => api.production.handOff(projectId, asset.id, { toUserId: to.userId }), `You handed the task to ${to.name}.`, 'The task could not be handed off');
        }}>
          <div className="field">
            <label htmlFor={handId}>Hand off to</label>
            <select id={handId} value={handTo} onChange={(e) => setHandTo(e.target.value)}>
              <option value="">Choose a member…</option>
              {others.map((m) => <option key={m.userId} value={m.userId}>{m.name} ({m.roleName})</option>)}
            </select>
          </div>
          <button type="submit" className="button" disabled={busy}>Hand off</button>
        </form>
      )}
      {rules.takeOver && (
        <button type="button" className="button" disabled={busy}
          onClick={() => void run(() => api.production.assignTask(projectId, asset.id, { assigneeId: meId }), 'You hold the task now.', 'The task could not be taken')}>
          {asset.assigneeId ? 'Take over' : 'Take this task'}
        </button>
      )}
      {notice && <p className={notice.kind === 'error' ? 'field__error' : 'control__done'} role={notice.kind === 'error' ? 'alert' : 'status'}>{notice.text}</p>}
    </section>
  );
}
