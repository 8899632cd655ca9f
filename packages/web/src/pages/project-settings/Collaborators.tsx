// Who works on the project: add several people at once with one role (studio members are added;
// others are invited to the studio with this project's role, when the caller may invite), change
// a member's role, remove a member.
import { useRef, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { normalizeEmail } from '@backlot/core';
import type { AdminWarning, InviteResult, ProjectDetail, ProjectMember, RoleView, StudioMember } from '@backlot/api';
import { api } from '../../app/api.ts';
import { keys } from '../../app/query.ts';
import { useAction } from '../../app/use-action.ts';
import { useForm } from '../../app/use-form.ts';
import { ChipInput, recheck, type Chip, type ChipInputHandle } from '../../ui/ChipInput.tsx';
import { FormError, SubmitButton } from '../../ui/forms.tsx';
import { Loading, LoadError } from '../../ui/page.tsx';
import { SelectField } from '../../ui/SelectField.tsx';
import { SettingsPanel } from '../../ui/SettingsLayout.tsx';
import { InviteOutcome } from '../studio-settings/InviteOutcome.tsx';
import { explain } from '../studio-settings/words.ts';
import type { SettingsRules } from './rules.ts';
import { InlineConfirm } from '../../ui/InlineConfirm.tsx';

interface Props {
  project: ProjectDetail;
  rules: SettingsRules;
  meId: string;
}

export function Collaborators({ project, rules, meId }: Props) {
  const members = useQuery({ queryKey: keys.members(project.id), queryFn: () => api.projectMembers.list(project.id) });
  const roles = useQuery({ queryKey: keys.roles(project.id), queryFn: async () => (await api.roles.list(project.id)).roles });
  const [warnings, setWarnings] = useState<AdminWarning[] | null>(null);
  const shownWarnings = warnings ?? members.data?.warnings ?? [];
  if (members.isPending || roles.isPending) return <Loading />;
  if (members.isError) return <LoadError error={members.error} retry={() => void members.refetch()} />;
  if (roles.isError) return <LoadError error={roles.error} retry={() => void roles.refetch()} />;
  return (
    <>
      {rules.addMembers && <AddCollaborators project={project} rules={rules} members={members.data.members} roles={roles.data} onWarnings={setWarnings} />}
      <SettingsPanel title="Collaborators" intro="Each person has one role in this project. Removing someone ends their access to its files at once; they keep their studio seat.">
        {shownWarnings.map((w) => <p key={w.code} className="notice notice--warning" role="status">{sentence(w.message)}</p>)}
        <table className="table table--compact">
          <caption className="visually-hidden">Project collaborators</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Last active</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {members.data.members.map((m) => (
              <MemberRow key={m.userId} projectId={project.id} member={m} roles={roles.data} rules={rules} self={m.userId === meId} onWarnings={setWarnings} />
            ))}
          </tbody>
        </table>
      </SettingsPanel>
    </>
  );
}

const sentence = (s: string) => `${s[0].toUpperCase()}${s.slice(1)}${/[.!?]$/.test(s) ? '' : '.'}`;

function useStudioMembers(studioId: string) {
  return useQuery({ queryKey: keys.studioMembers(studioId), queryFn: async () => (await api.studioMembers.list(studioId)).members });
}

function AddCollaborators({ project, rules, members, roles, onWarnings }: {
  project: ProjectDetail; rules: SettingsRules; members: ProjectMember[]; roles: RoleView[]; onWarnings(w: AdminWarning[]): void;
}) {
  const qc = useQueryClient();
  const studioMembers = useStudioMembers(project.studioId);
  const grantable = roles.filter((r) => rules.grant(r));
  const [chips, setChips] = useState<Chip[]>([]);
  const [roleId, setRoleId] = useState('');
  const [done, setDone] = useState<{ added: number; already: number; invites: InviteResult[] } | null>(null);
  const input = useRef<ChipInputHandle>(null);
  const form = useForm(['emails', 'roleId']);

  const seat = (email: string): StudioMember | undefined => studioMembers.data?.find((m) => m.email.toLowerCase() === email);
  const inProject = (email: string) => { const s = seat(email); return !!s && members.some((m) => m.userId === s.userId); };
  const check = (value: string): string | null => {
    if (!normalizeEmail(value)) return 'not a valid email address';
    if (inProject(value)) return 'already in this project';
    if (studioMembers.data && !seat(value) && !rules.inviteToStudio) return 'not a member of this studio; ask a studio admin to invite them';
    return null;
  };
  const suggestions = (studioMembers.data ?? [])
    .filter((m) => m.status === 'active' && !members.some((p) => p.userId === m.userId))
    .map((m) => ({ value: m.email, label: m.name }));

  const submit = form.onSubmit(async () => {
    setDone(null);
    const all = recheck(input.current?.flush() ?? chips, check);
    setChips(all);
    if (!all.length) return form.setProblem('emails', 'Type at least one email address.');
    if (all.some((c) => c.problem)) return form.setProblem('emails', 'Correct or remove the marked addresses first.');
    const role = roles.find((r) => r.id === roleId);
    if (!role) return form.setProblem('roleId', 'Choose the role they will have.');
    const known = all.flatMap((c) => seat(c.value) ?? []);
    const newcomers = all.filter((c) => !seat(c.value)).map((c) => c.value);
    let added = 0;
    let already = 0;
    if (known.length) {
      const answer = await api.projectMembers.add(project.id, { userIds: known.map((m) => m.userId), roleId: role.id });
      added = answer.added.length;
      already = answer.alreadyMembers.length;
      onWarnings(answer.warnings);
      // Those are in: a refused invitation below must not make anyone add them twice.
      setChips((cs) => cs.filter((c) => !known.some((m) => m.email.toLowerCase() === c.value)));
    }
    let invites: InviteResult[] = [];
    if (newcomers.length) {
      const answer = await api.invitations.invite(project.studioId, { emails: newcomers, role: 'member', projects: [{ projectId: project.id, roleId: role.id }] });
      invites = answer.results;
    }
    const refused = new Map(invites.filter((r) => r.outcome === 'rejected').map((r) => [r.email, r.reason ?? 'refused']));
    setChips(all.filter((c) => refused.has(c.value)).map((c) => ({ value: c.value, problem: refused.get(c.value)! })));
    setDone({ added, already, invites });
    await Promise.all([
      qc.invalidateQueries({ queryKey: keys.members(project.id) }),
      qc.invalidateQueries({ queryKey: keys.roles(project.id) }),
      qc.invalidateQueries({ queryKey: keys.studioMembers(project.studioId) }),
      qc.invalidateQueries({ queryKey: keys.invitations(project.studioId) }),
    ]);
  });

  return (
    <SettingsPanel title="Add collaborators"
      intro={rules.inviteToStudio
        ? 'Type or paste email addresses. Studio members are added at once; anyone else is invited to the studio with this role.'
        : 'Type or paste the email addresses of studio members.'}>
      <form onSubmit={submit} noValidate className="add-people">
        <ChipInput ref={input} label="People" noun="address" chips={chips} onChange={setChips} check={check}
          normalize={(v) => v.trim().toLowerCase()} placeholder="Email addresses" suggestions={suggestions}
          hint="Press Space, Comma or Enter after each address; suggestions come from the studio's members." error={form.errorFor('emails')} />
        <SelectField label="Role" value={roleId} onChange={(e) => setRoleId(e.target.value)} error={form.errorFor('roleId')} className="add-people__role">
          <option value="">Choose a role…</option>
          {grantable.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
        </SelectField>
        <div className="add-people__submit">
          <SubmitButton busy={form.busy}>{chips.length > 1 ? `Add ${chips.length} people` : 'Add'}</SubmitButton>
        </div>
        <FormError>{form.formError}</FormError>
      </form>
      {done && (
        <>
          {(done.added > 0 || done.already > 0) && (
            <p className="success" role="status">
              {done.added > 0 && `Added ${done.added} ${done.added === 1 ? 'person' : 'people'} to the project.`}
              {done.already > 0 && ` ${done.already} ${done.already === 1 ? 'was' : 'were'} already in it.`}
            </p>
          )}
          {done.invites.length > 0 && <InviteOutcome results={done.invites} />}
        </>
      )}
    </SettingsPanel>
  );
}

function MemberRow({ projectId, member, roles, rules, self, onWarnings }: {
  projectId: string; member: ProjectMember; roles: RoleView[]; rules: SettingsRules; self: boolean; onWarnings(w: AdminWarning[]): void;
}) {
  const qc = useQueryClient();
  const action = useAction(explain);
  const [confirming, setConfirming] = useState(false);
  const current = roles.find((r) => r.id === member.roleId);
  // The caller may change this member's role only if they could have given the current one.
  const choices = rules.changeRoles && current && rules.grant(current) ? roles.filter((r) => r.id === member.roleId || rules.grant(r)) : [];
  const mayRemove = self || (rules.removeMembers && !!current && rules.grant(current));
  const refresh = () => Promise.all([
    qc.invalidateQueries({ queryKey: keys.members(projectId) }),
    qc.invalidateQueries({ queryKey: keys.roles(projectId) }),
    self ? qc.invalidateQueries({ queryKey: keys.project(projectId) }) : null,
  ]);
  const changeRole = (roleId: string) => action.run(async () => {
    const answer = await api.projectMembers.changeRole(projectId, member.userId, roleId);
    onWarnings(answer.warnings);
    await refresh();
  });
  const remove = () => action.run(async () => {
    try {
      const answer = await api.projectMembers.remove(projectId, member.userId);
      onWarnings(answer.warnings);
    } finally {
      setConfirming(false);
      await refresh();
    }
  });
  return (
    <>
      <tr>
        <td>
          <span className="table__strong">{member.name}{self && ' (you)'}</span>
          {member.email && <span className="table__sub">{member.email}</span>}
        </td>
        <td>
          {choices.length > 1 ? (
            <SelectField label={`Role of ${member.name}`} hideLabel value={member.roleId} disabled={action.busy} onChange={(e) => void changeRole(e.target.value)}>
              {choices.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
            </SelectField>
          ) : member.roleName}
        </td>
        <td>{member.lastActiveAt ? new Date(member.lastActiveAt).toLocaleDateString(undefined, { dateStyle: 'medium' }) : <span className="muted">Never</span>}</td>
        <td className="table__actions">
          {mayRemove && !confirming && (
            <button type="button" className="button button--small button--danger" disabled={action.busy} onClick={() => setConfirming(true)}
              aria-label={self ? 'Leave this project' : `Remove ${member.name} from the project`}>{self ? 'Leave' : 'Remove'}</button>
          )}
          {confirming && (
            <InlineConfirm label={`Confirm removing ${member.name}`} question={self ? 'Leave the project?' : 'Remove from the project? Their tasks pass on.'}
              confirm={self ? 'Leave' : 'Remove'} busy={action.busy} onConfirm={() => void remove()} onCancel={() => setConfirming(false)} />
          )}
        </td>
      </tr>
      {action.error && <tr className="table__row-message"><td colSpan={4}><p className="notice notice--error" role="alert">{action.error}</p></td></tr>}
    </>
  );
}
