// "Also add them to projects": rows of project + project role sent with an invitation. The
// projects and their roles are the server's (GET /studios/:id/projects, /projects/:id/roles).
import { useQuery } from '@tanstack/react-query';
import type { ProjectEntry } from '@backlot/api';
import { api } from '../../app/api.ts';
import { keys } from '../../app/query.ts';
import { SelectField } from '../../ui/SelectField.tsx';

export interface GrantRow {
  key: number;
  projectId: string;
  roleId: string;
}

/** Why the rows cannot be sent yet, or null. */
export function grantsProblem(rows: GrantRow[]): string | null {
  if (rows.some((r) => !r.projectId)) return 'Choose a project in each row, or remove the row.';
  if (rows.some((r) => !r.roleId)) return 'Choose a project role in each row.';
  if (new Set(rows.map((r) => r.projectId)).size !== rows.length) return 'Each project can be chosen once.';
  return null;
}

interface ProjectGrantsProps {
  studioId: string;
  grants: GrantRow[];
  onChange(rows: GrantRow[]): void;
  error?: string | null;
  /** What the rows belong to, for the remove buttons' names ("the invitation", "the mapping"). */
  owner?: string;
  /** The line shown when there are no rows. */
  none?: string;
}

export function ProjectGrants({ studioId, grants, onChange, error, owner = 'the invitation', none = 'They will see no project until someone adds them to one.' }: ProjectGrantsProps) {
  const projects = useQuery({ queryKey: keys.projects(studioId, 'active'), queryFn: async () => (await api.projects.list(studioId, { status: 'active' })).projects });
  const list = projects.data ?? [];
  const update = (key: number, patch: Partial<GrantRow>) => onChange(grants.map((g) => (g.key === key ? { ...g, ...patch } : g)));
  const add = () => onChange([...grants, { key: Date.now(), projectId: '', roleId: '' }]);
  if (projects.isSuccess && list.length === 0) return null;
  return (
    <fieldset className="grants">
      <legend>Projects <span className="muted">(optional)</span></legend>
      {grants.length === 0 && <p className="grants__none muted">{none}</p>}
      {grants.map((g, i) => (
        <GrantRowFields key={g.key} index={i} row={g} owner={owner} projects={list} taken={grants.filter((o) => o.key !== g.key).map((o) => o.projectId)}
          onChange={(patch) => update(g.key, patch)} onRemove={() => onChange(grants.filter((o) => o.key !== g.key))} />
      ))}
      {error && <p className="field__error" role="alert">{error}</p>}
      {grants.length < list.length && (
        <button type="button" className="button button--small" onClick={add}>+ Add to a project</button>
      )}
    </fieldset>
  );
}

function GrantRowFields({ index, row, owner, projects, taken, onChange, onRemove }: {
  index: number; row: GrantRow; owner: string; projects: ProjectEntry[]; taken: string[];
  onChange(patch: Partial<GrantRow>): void; onRemove(): void;
}) {
  const roles = useQuery({ queryKey: keys.roles(row.projectId), queryFn: async () => (await api.roles.list(row.projectId)).roles, enabled: !!row.projectId });
  const projectName = projects.find((p) => p.id === row.projectId)?.name;
  return (
    <div className="grants__row">
      <SelectField label={`Project ${index + 1}`} value={row.projectId} onChange={(e) => onChange({ projectId: e.target.value, roleId: '' })}>
        <option value="">Choose a project…</option>
        {projects.filter((p) => p.id === row.projectId || !taken.includes(p.id)).map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
      </SelectField>
      <SelectField label={projectName ? `Role in ${projectName}` : `Role in project ${index + 1}`} value={row.roleId} disabled={!row.projectId || roles.isPending}
        onChange={(e) => onChange({ roleId: e.target.value })}>
        <option value="">{row.projectId && roles.isPending ? 'Loading roles…' : 'Choose a role…'}</option>
        {roles.data?.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
      </SelectField>
      <button type="button" className="button button--quiet button--small grants__remove" onClick={onRemove}
        aria-label={projectName ? `Remove ${projectName} from ${owner}` : `Remove project row ${index + 1}`}>Remove</button>
    </div>
  );
}
