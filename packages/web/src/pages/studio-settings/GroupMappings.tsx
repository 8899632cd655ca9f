// IdP group → studio role (and project roles), applied at every SSO sign-in and SCIM update.
// The roles offered are those core's policy lets the caller grant (Owner only for owners); the
// server checks each mapping against its author's rights again and refuses one that would hand
// out more ("escalation"), which is shown next to the field it is about.
import { useState } from 'react';
import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '@backlot/api';
import { authorizeGrantStudioRole, authorizeGroupMappingRemoval, STUDIO_ROLES, type StudioActor } from '@backlot/core';
import type { GroupMappingView, StudioRole, StudioView } from '@backlot/api';
import { api } from '../../app/api.ts';
import { messageOf } from '../../app/errors.ts';
import { keys } from '../../app/query.ts';
import { useAction } from '../../app/use-action.ts';
import { useForm } from '../../app/use-form.ts';
import { Field, FormError, SubmitButton } from '../../ui/forms.tsx';
import { SelectField } from '../../ui/SelectField.tsx';
import { SettingsPanel } from '../../ui/SettingsLayout.tsx';
import { identityKeys } from './identity-keys.ts';
import { ProjectGrants, grantsProblem, type GrantRow } from './ProjectGrants.tsx';
import { STUDIO_ROLE_HINTS, STUDIO_ROLE_NAMES } from './words.ts';

export function GroupMappings({ studio, actor, mappings }: { studio: StudioView; actor: StudioActor; mappings: GroupMappingView[] }) {
  return (
    <SettingsPanel title="Group mappings"
      intro="At every SSO sign-in and SCIM update, a person gets the most senior studio role and project roles their IdP groups map to (Member when none matches). An owner's seat is never changed by a mapping.">
      {mappings.length === 0 ? <p className="muted">No mappings yet: people who sign in through SSO join as members of no project.</p> : (
        <table className="table table--compact">
          <caption className="visually-hidden">Group mappings</caption>
          <thead><tr><th scope="col">IdP group</th><th scope="col">Studio role</th><th scope="col">Projects</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>{mappings.map((m) => <MappingRow key={m.id} studioId={studio.id} mapping={m} mayRemove={authorizeGroupMappingRemoval(actor, m).allowed} />)}</tbody>
        </table>
      )}
      <AddMapping studio={studio} actor={actor} />
    </SettingsPanel>
  );
}

function MappingRow({ studioId, mapping, mayRemove }: { studioId: string; mapping: GroupMappingView; mayRemove: boolean }) {
  const qc = useQueryClient();
  const action = useAction();
  const remove = () => action.run(async () => {
    try {
      await api.sso.removeMapping(studioId, mapping.id);
    } finally {
      await qc.invalidateQueries({ queryKey: identityKeys.sso(studioId) });
    }
  });
  return (
    <>
      <tr>
        <td><code className="mapping__group">{mapping.group}</code></td>
        <td>{STUDIO_ROLE_NAMES[mapping.studioRole]}</td>
        <td><MappedProjects studioId={studioId} grants={mapping.projectRoles} /></td>
        <td className="table__actions">
          {mayRemove && <button type="button" className="button button--small button--danger" disabled={action.busy} onClick={() => void remove()} aria-label={`Remove the mapping of ${mapping.group}`}>Remove</button>}
        </td>
      </tr>
      {action.error && <tr className="table__row-message"><td colSpan={4}><p className="notice notice--error" role="alert">{action.error}</p></td></tr>}
    </>
  );
}

/** "Show A: Supervisor, Show B: Artist", with names from the project and role lists. */
function MappedProjects({ studioId, grants }: { studioId: string; grants: { projectId: string; roleId: string }[] }) {
  const projects = useQuery({ queryKey: keys.projects(studioId, 'active'), queryFn: async () => (await api.projects.list(studioId, { status: 'active' })).projects });
  const roles = useQueries({ queries: grants.map((g) => ({ queryKey: keys.roles(g.projectId), queryFn: async () => (await api.roles.list(g.projectId)).roles })) });
  if (!grants.length) return <span className="muted">None</span>;
  return (
    <ul className="mapping__projects">
      {grants.map((g, i) => (
        <li key={g.projectId}>
          {projects.data?.find((p) => p.id === g.projectId)?.name ?? 'An archived project'}: {roles[i].data?.find((r) => r.id === g.roleId)?.name ?? '…'}
        </li>
      ))}
    </ul>
  );
}

function AddMapping({ studio, actor }: { studio: StudioView; actor: StudioActor }) {
  const qc = useQueryClient();
  const roles = STUDIO_ROLES.filter((r) => authorizeGrantStudioRole(actor, r).allowed);
  const [group, setGroup] = useState('');
  const [role, setRole] = useState<StudioRole>('member');
  const [grants, setGrants] = useState<GrantRow[]>([]);
  const form = useForm(['group', 'studioRole', 'projectRoles']);
  const submit = form.onSubmit(async () => {
    if (!group.trim()) return form.setProblem('group', 'Enter the group name (or id) as your identity provider sends it.');
    const problem = grantsProblem(grants);
    if (problem) return form.setProblem('projectRoles', problem);
    try {
      await api.sso.addMapping(studio.id, { group: group.trim(), studioRole: role, projectRoles: grants.map((g) => ({ projectId: g.projectId, roleId: g.roleId })) });
    } catch (err) {
      // Refused as an escalation: next to the studio role, or to the projects when a project role was the reason.
      if (err instanceof ApiError && err.details.reason === 'escalation') {
        form.setProblem(err.details.permissions ? 'projectRoles' : 'studioRole', messageOf(err));
        // The caller's seat may have changed since the page loaded: ask the server again.
        await qc.invalidateQueries({ queryKey: keys.studios });
        return;
      }
      throw err;
    }
    setGroup('');
    setGrants([]);
    await qc.invalidateQueries({ queryKey: identityKeys.sso(studio.id) });
  });
  return (
    <form onSubmit={submit} noValidate className="mapping-form" aria-labelledby="mapping-form-title">
      <h3 id="mapping-form-title" className="mapping-form__title">Add a mapping</h3>
      <Field label="IdP group" name="group" value={group} onChange={(e) => setGroup(e.target.value)} error={form.errorFor('group')} placeholder="vfx-supervisors"
        hint="Matched exactly. Entra ID sends group object ids: use the id." />
      <SelectField label="Studio role" value={role} onChange={(e) => setRole(e.target.value as StudioRole)} error={form.errorFor('studioRole')} hint={STUDIO_ROLE_HINTS[role]}>
        {roles.map((r) => <option key={r} value={r}>{STUDIO_ROLE_NAMES[r]}</option>)}
      </SelectField>
      <ProjectGrants studioId={studio.id} grants={grants} onChange={setGrants} error={form.errorFor('projectRoles')} owner="the mapping"
        none="Optionally give the group's members a role in some projects." />
      <FormError>{form.formError}</FormError>
      <div className="form-actions"><SubmitButton busy={form.busy}>Add mapping</SubmitButton></div>
    </form>
  );
}
