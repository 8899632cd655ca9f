// The studio's members and their seats: change the studio role, suspend or reactivate, remove.
// Each control is offered when core's studio policy allows it for that seat; the last-owner
// guard is explained up front, and again if the server refuses (someone else may have changed
// the owners since this list was loaded).
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { authorizeStudioMemberChange, STUDIO_ROLES, type MemberChange, type StudioActor } from '@backlot/core';
import type { StudioMember, StudioRole, StudioView } from '@backlot/api';
import { api } from '../../app/api.ts';
import { keys } from '../../app/query.ts';
import { useAction } from '../../app/use-action.ts';
import { Loading, LoadError } from '../../ui/page.tsx';
import { SelectField } from '../../ui/SelectField.tsx';
import { SettingsPanel } from '../../ui/SettingsLayout.tsx';
import { date, explain, STUDIO_ROLE_NAMES } from './words.ts';
import { InlineConfirm } from '../../ui/InlineConfirm.tsx';

export function Members({ studio, actor }: { studio: StudioView; actor: StudioActor }) {
  const list = useQuery({ queryKey: keys.studioMembers(studio.id), queryFn: async () => (await api.studioMembers.list(studio.id)).members });
  const members = list.data ?? [];
  const activeOwners = members.filter((m) => m.role === 'owner' && m.status !== 'suspended').length;
  return (
    <SettingsPanel title="Members" intro="Studio roles decide who manages the studio. Project access is given per project, in each project's settings.">
      {list.isPending ? <Loading /> : list.isError ? <LoadError error={list.error} retry={() => void list.refetch()} /> : (
        <table className="table table--compact">
          <caption className="visually-hidden">Studio members</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Studio role</th><th scope="col">Status</th><th scope="col">Last active</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {members.map((m) => <MemberRow key={m.userId} studio={studio} actor={actor} member={m} activeOwners={activeOwners} />)}
          </tbody>
        </table>
      )}
    </SettingsPanel>
  );
}

function MemberRow({ studio, actor, member, activeOwners }: { studio: StudioView; actor: StudioActor; member: StudioMember; activeOwners: number }) {
  const qc = useQueryClient();
  const action = useAction(explain);
  const [confirming, setConfirming] = useState(false);
  const self = member.userId === actor.userId;
  const target = { userId: member.userId, role: member.role, suspended: member.status === 'suspended' };
  const decide = (change: MemberChange) => authorizeStudioMemberChange(actor, target, change, activeOwners);
  const roleChoices = STUDIO_ROLES.filter((r) => r === member.role || decide({ kind: 'change_role', to: r }).allowed);
  // Allowed but for the guard: the seat is the studio's only owner.
  const lastOwner = STUDIO_ROLES.some((r) => {
    const d = decide({ kind: 'change_role', to: r });
    return !d.allowed && d.error.details.reason === 'last_owner';
  });
  const suspend = decide(target.suspended ? { kind: 'reactivate' } : { kind: 'suspend' });
  const remove = decide({ kind: 'remove' });

  const refresh = async () => {
    await qc.invalidateQueries({ queryKey: keys.studioMembers(studio.id) });
    if (self) await qc.invalidateQueries({ queryKey: keys.studios }); // my own seat changed
  };
  const change = (body: Parameters<typeof api.studioMembers.update>[2]) => action.run(async () => {
    try {
      await api.studioMembers.update(studio.id, member.userId, body);
    } finally {
      await refresh(); // after a refusal too: the list may have been out of date
    }
  });
  const doRemove = () => action.run(async () => {
    try {
      await api.studioMembers.remove(studio.id, member.userId);
    } finally {
      setConfirming(false);
      await refresh();
    }
  });
  const label = self ? `${member.name} (you)` : member.name;
  const guardId = `guard-${member.userId}`;
  return (
    <>
      <tr>
        <td>
          <span className="table__strong">{label}</span>
          <span className="table__sub">{member.email}</span>
        </td>
        <td>
          {roleChoices.length > 1 || lastOwner ? (
            <SelectField label={`Studio role of ${member.name}`} hideLabel value={member.role} disabled={action.busy || roleChoices.length < 2}
              onChange={(e) => void change({ role: e.target.value as StudioRole })} aria-describedby={lastOwner ? guardId : undefined}>
              {roleChoices.map((r) => <option key={r} value={r}>{STUDIO_ROLE_NAMES[r]}</option>)}
            </SelectField>
          ) : STUDIO_ROLE_NAMES[member.role]}
          {lastOwner && <span className="table__sub" id={guardId}>The only owner: make someone else an owner to change this.</span>}
        </td>
        <td>
          {member.status === 'active' ? <span className="badge badge--ok">Active</span>
            : member.status === 'suspended' ? <span className="badge badge--warning">Suspended</span>
            : <span className="badge badge--muted">Deactivated</span>}
        </td>
        <td>{member.lastActiveAt ? date(member.lastActiveAt) : <span className="muted">Never</span>}</td>
        <td className="table__actions">
          {!confirming && !self && suspend.allowed && (
            <button type="button" className="button button--small" disabled={action.busy}
              onClick={() => void change({ status: target.suspended ? 'active' : 'suspended' })}
              aria-label={`${target.suspended ? 'Reactivate' : 'Suspend'} ${member.name}`}>
              {target.suspended ? 'Reactivate' : 'Suspend'}
            </button>
          )}
          {!confirming && remove.allowed && (
            <button type="button" className="button button--small button--danger" disabled={action.busy} onClick={() => setConfirming(true)}
              aria-label={self ? 'Leave the studio' : `Remove ${member.name}`}>
              {self ? 'Leave' : 'Remove'}
            </button>
          )}
          {confirming && (
            <InlineConfirm label={`Confirm removing ${member.name}`} question={self ? 'Leave the studio and all its projects?' : 'Remove from the studio and all its projects?'}
              confirm={self ? 'Leave' : 'Remove'} busy={action.busy} onConfirm={() => void doRemove()} onCancel={() => setConfirming(false)} />
          )}
        </td>
      </tr>
      {action.error && (
        <tr className="table__row-message"><td colSpan={5}><p className="notice notice--error" role="alert">{action.error}</p></td></tr>
      )}
    </>
  );
}
