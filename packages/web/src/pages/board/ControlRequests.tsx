// Control requests, live: people asking for the caller's tasks (accept hands the task over,
// decline keeps it) and the caller's own requests waiting for an answer (cancel).
import type { PendingControlRequest } from '@backlot/api';
import { filePath } from './Card.tsx';

interface Props {
  toMe: PendingControlRequest[];
  mine: PendingControlRequest[];
  busy: string | null;
  onAnswer(request: PendingControlRequest, answer: 'accept' | 'decline' | 'cancel'): void;
}

export function ControlRequests({ toMe, mine, busy, onAnswer }: Props) {
  if (!toMe.length && !mine.length) return null;
  return (
    <section className="requests" aria-label="Control requests">
      {toMe.map((r) => (
        <div key={r.id} className="requests__item requests__item--incoming">
          <p><strong>{r.requester.name ?? 'Someone'}</strong> asks for <strong>{filePath(r.asset)}</strong>{r.message ? `: “${r.message}”` : '.'}</p>
          <div className="requests__actions">
            <button type="button" className="button button--primary button--small" disabled={busy === r.id} onClick={() => onAnswer(r, 'accept')}
              aria-label={`Accept: hand ${filePath(r.asset)} to ${r.requester.name ?? 'the requester'}`}>Accept</button>
            <button type="button" className="button button--small" disabled={busy === r.id} onClick={() => onAnswer(r, 'decline')}
              aria-label={`Decline the request of ${r.requester.name ?? 'the requester'} for ${filePath(r.asset)}`}>Decline</button>
          </div>
        </div>
      ))}
      {mine.map((r) => (
        <div key={r.id} className="requests__item">
          <p>You asked {r.asset.assigneeName ?? 'the assignee'} for <strong>{filePath(r.asset)}</strong>; waiting for an answer.</p>
          <div className="requests__actions">
            <button type="button" className="button button--small" disabled={busy === r.id} onClick={() => onAnswer(r, 'cancel')}
              aria-label={`Cancel your request for ${filePath(r.asset)}`}>Cancel request</button>
          </div>
        </div>
      ))}
    </section>
  );
}
