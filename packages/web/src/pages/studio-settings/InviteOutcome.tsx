// What became of each address of an invitation batch, with the links to pass on by hand when
// no email went out (no mail server configured, or sending failed).
import type { InviteResult } from '@backlot/api';
import { CopyField } from '../../ui/CopyField.tsx';
import './studio-settings.css';

const OUTCOME: Record<InviteResult['outcome'], string> = {
  added: 'Added: they already had an account',
  invited: 'Invited',
  already_member: 'Already a member',
  rejected: 'Not invited',
};

export function InviteOutcome({ results }: { results: InviteResult[] }) {
  const links = results.filter((r) => r.link);
  return (
    <div className="invite-outcome" role="status">
      <h3 className="invite-outcome__title">Result</h3>
      <ul className="invite-outcome__list">
        {results.map((r) => (
          <li key={r.email} className={`invite-outcome__item invite-outcome__item--${r.outcome}`}>
            <span className="invite-outcome__email">{r.email}</span>
            <span>
              {OUTCOME[r.outcome]}
              {r.outcome === 'invited' && (r.delivered === 'email' ? ' by email' : ' (no email sent: copy the link below)')}
              {r.outcome === 'rejected' && r.reason ? `: ${r.reason}` : ''}
            </span>
          </li>
        ))}
      </ul>
      {links.length > 0 && (
        <div className="invite-links">
          <p className="muted">No mail server is set up, so send these links yourself. Each works once, for that address only.</p>
          {links.map((r) => (
            <div key={r.email} className="invite-links__row">
              <span className="invite-links__email">{r.email}</span>
              <CopyField label={`Invitation link for ${r.email}`} value={r.link!} />
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
