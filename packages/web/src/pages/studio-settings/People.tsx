// The studio's people: invite several at once, the invitations still pending, and the members.
import { useRef, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { authorizeGrantStudioRole, authorizeStudio, normalizeEmail, STUDIO_ROLES, type StudioActor } from '@backlot/core';
import type { InvitationView, InviteResult, StudioRole, StudioView } from '@backlot/api';
import { api } from '../../app/api.ts';
import { keys } from '../../app/query.ts';
import { useAction } from '../../app/use-action.ts';
import { useForm } from '../../app/use-form.ts';
import { ChipInput, type Chip, type ChipInputHandle } from '../../ui/ChipInput.tsx';
import { CopyField } from '../../ui/CopyField.tsx';
import { FormError, SubmitButton } from '../../ui/forms.tsx';
import { Loading, LoadError } from '../../ui/page.tsx';
import { SelectField } from '../../ui/SelectField.tsx';
import { SettingsPanel } from '../../ui/SettingsLayout.tsx';
import { ProjectGrants, grantsProblem, type GrantRow } from './ProjectGrants.tsx';
import { InviteOutcome } from './InviteOutcome.tsx';
import { Members } from './Members.tsx';
import { DormantSeats } from './DormantSeats.tsx';
import { date, explain, expiresIn, STUDIO_ROLE_HINTS, STUDIO_ROLE_NAMES } from './words.ts';

export function People({ studio, actor }: { studio: StudioView; actor: StudioActor }) {
  const canInvite = authorizeStudio(actor, 'studio.invite').allowed;
  return (
    <>
      {canInvite && <InvitePeople studio={studio} actor={actor} />}
      {canInvite && <PendingInvitations studio={studio} actor={actor} />}
      <Members studio={studio} actor={actor} />
      {authorizeStudio(actor, 'studio.seats.manage').allowed && <DormantSeats studio={studio} />}
    </>
  );
}

const checkEmail = (value: string) => (normalizeEmail(value) ? null : 'not a valid email address');

function InvitePeople({ studio, actor }: { studio: StudioView; actor: StudioActor }) {
  const qc = useQueryClient();
  const roles = STUDIO_ROLES.filter((r) => authorizeGrantStudioRole(actor, r).allowed);
  const [chips, setChips] = useState<Chip[]>([]);
  const [role, setRole] = useState<StudioRole>('member');
  const [grants, setGrants] = useState<GrantRow[]>([]);
  const [results, setResults] = useState<InviteResult[] | null>(null);
  const chipInput = useRef<ChipInputHandle>(null);
  const form = useForm(['emails', 'role', 'projects']);

  const submit = form.onSubmit(async () => {
    setResults(null);
    const all = chipInput.current?.flush() ?? chips;
    if (!all.length) return form.setProblem('emails', 'Type at least one email address.');
    if (all.some((c) => c.problem)) return form.setProblem('emails', 'Correct or remove the marked addresses first.');
    const grantProblem = grantsProblem(grants);
    if (grantProblem) return form.setProblem('projects', grantProblem);
    const answer = await api.invitations.invite(studio.id, {
      emails: all.map((c) => c.value), role, projects: grants.map((g) => ({ projectId: g.projectId, roleId: g.roleId })),
    });
    // What the server turned down stays in the field, marked with its reason; the rest is done.
    const refused = new Map(answer.results.filter((r) => r.outcome === 'rejected').map((r) => [r.email, r.reason ?? 'refused']));
    setChips(all.filter((c) => refused.has(c.value)).map((c) => ({ value: c.value, problem: refused.get(c.value)! })));
    setResults(answer.results);
    await Promise.all([
      qc.invalidateQueries({ queryKey: keys.invitations(studio.id) }),
      qc.invalidateQueries({ queryKey: keys.studioMembers(studio.id) }),
    ]);
  });

  return (
    <SettingsPanel title="Invite people" intro="Type or paste email addresses. People who already have an account join at once; the others get a link that is valid for 7 days.">
      <form onSubmit={submit} noValidate className="invite-form">
        <ChipInput ref={chipInput} label="Email addresses" noun="address" chips={chips} onChange={setChips} check={checkEmail}
          normalize={(v) => v.trim().toLowerCase()} placeholder="name@studio.com, another@studio.com"
          hint="Press Space, Comma or Enter after each address. Backspace takes the last one back."
          error={form.errorFor('emails')} />
        <div className="invite-form__role">
          <SelectField label="Studio role" value={role} onChange={(e) => setRole(e.target.value as StudioRole)} error={form.errorFor('role')}
            hint={STUDIO_ROLE_HINTS[role]}>
            {roles.map((r) => <option key={r} value={r}>{STUDIO_ROLE_NAMES[r]}</option>)}
          </SelectField>
        </div>
        <ProjectGrants studioId={studio.id} grants={grants} onChange={setGrants} error={form.errorFor('projects')} />
        <FormError>{form.formError}</FormError>
        <div className="form-actions">
          <SubmitButton busy={form.busy}>{chips.length > 1 ? `Invite ${chips.length} people` : 'Invite'}</SubmitButton>
        </div>
      </form>
      {results && <InviteOutcome results={results} />}
    </SettingsPanel>
  );
}

function PendingInvitations({ studio, actor }: { studio: StudioView; actor: StudioActor }) {
  const list = useQuery({ queryKey: keys.invitations(studio.id), queryFn: async () => (await api.invitations.list(studio.id)).invitations });
  const open = list.data?.filter((i) => i.status === 'pending' || i.status === 'expired') ?? [];
  return (
    <SettingsPanel title="Pending invitations" intro="Re-sending makes a fresh link valid for 7 more days; the old link stops working.">
      {list.isPending ? <Loading /> : list.isError ? <LoadError error={list.error} retry={() => void list.refetch()} /> : open.length === 0 ? (
        <p className="muted">No invitations are waiting.</p>
      ) : (
        <table className="table table--compact">
          <caption className="visually-hidden">Pending invitations</caption>
          <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Expires</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>{open.map((inv) => <InvitationRow key={inv.id} studioId={studio.id} inv={inv} mayManage={authorizeGrantStudioRole(actor, inv.studioRole).allowed} />)}</tbody>
        </table>
      )}
    </SettingsPanel>
  );
}

function InvitationRow({ studioId, inv, mayManage }: { studioId: string; inv: InvitationView; mayManage: boolean }) {
  const qc = useQueryClient();
  const action = useAction(explain);
  const [link, setLink] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const refresh = () => qc.invalidateQueries({ queryKey: keys.invitations(studioId) });
  const resend = () => action.run(async () => {
    const answer = await api.invitations.resend(studioId, inv.id);
    setLink(answer.delivered === 'link' ? answer.link ?? null : null);
    setSent(answer.delivered === 'email');
    await refresh();
  });
  const revoke = () => action.run(async () => {
    await api.invitations.revoke(studioId, inv.id);
    await refresh();
  });
  const expired = inv.status === 'expired';
  return (
    <>
      <tr>
        <td>
          <span className="table__strong">{inv.email}</span>
          <span className="table__sub">Invited {date(inv.createdAt)}{inv.sentCount > 1 ? ` · sent ${inv.sentCount} times` : ''}</span>
        </td>
        <td>
          {STUDIO_ROLE_NAMES[inv.studioRole]}
          {inv.projects.length > 0 && <span className="table__sub">and {inv.projects.length} {inv.projects.length === 1 ? 'project' : 'projects'}</span>}
        </td>
        <td>{expired ? <span className="badge badge--warning">Expired</span> : <span title={new Date(inv.expiresAt).toLocaleString()}>{expiresIn(inv.expiresAt)}</span>}</td>
        <td className="table__actions">
          {mayManage && (
            <>
              <button type="button" className="button button--small" disabled={action.busy} onClick={() => void resend()} aria-label={`Re-send invitation to ${inv.email}`}>Re-send</button>
              <button type="button" className="button button--small button--danger" disabled={action.busy} onClick={() => void revoke()} aria-label={`Revoke invitation to ${inv.email}`}>Revoke</button>
            </>
          )}
        </td>
      </tr>
      {(action.error || link || sent) && (
        <tr className="table__row-message">
          <td colSpan={4}>
            {action.error && <p className="notice notice--error" role="alert">{action.error}</p>}
            {sent && <p className="success" role="status">A fresh invitation was emailed to {inv.email}.</p>}
            {link && (
              <div className="invite-links__row" role="status">
                <span className="muted">No email was sent. New link:</span>
                <CopyField label={`Invitation link for ${inv.email}`} value={link} />
              </div>
            )}
          </td>
        </tr>
      )}
    </>
  );
}
