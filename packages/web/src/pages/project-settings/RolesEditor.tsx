// The roles editor: the project's roles on the left, the chosen one's permission toggles on the
// right, grouped by area with a line on what each allows — all read from the server's permission
// catalog (GET /permissions), so a permission added there appears here with no change to the app.
// Admin is locked; a role in use is deleted only by moving its members to another role.
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { nameProblem, type Permission } from '@backlot/core';
import type { PermissionCatalog, RoleView } from '@backlot/api';
import { api } from '../../app/api.ts';
import { keys } from '../../app/query.ts';
import { useAction } from '../../app/use-action.ts';
import { useForm } from '../../app/use-form.ts';
import { Field, FormError, SubmitButton } from '../../ui/forms.tsx';
import { Loading, LoadError } from '../../ui/page.tsx';
import { SelectField } from '../../ui/SelectField.tsx';
import type { SettingsRules } from './rules.ts';
import { LockIcon } from './LockIcon.tsx';

const NEW = 'new';

export function RolesEditor({ projectId, rules }: { projectId: string; rules: SettingsRules }) {
  const catalog = useQuery({ queryKey: keys.permissionCatalog, queryFn: () => api.roles.permissions(), staleTime: Infinity });
  const roles = useQuery({ queryKey: keys.roles(projectId), queryFn: async () => (await api.roles.list(projectId)).roles });
  const [chosen, setChosen] = useState<string | null>(null);
  if (catalog.isPending || roles.isPending) return <Loading />;
  if (catalog.isError) return <LoadError error={catalog.error} retry={() => void catalog.refetch()} />;
  if (roles.isError) return <LoadError error={roles.error} retry={() => void roles.refetch()} />;
  const list = roles.data;
  const selected = chosen === NEW ? null : list.find((r) => r.id === chosen) ?? list.find((r) => !r.fixed) ?? list[0];
  return (
    <div className="roles">
      <nav className="panel roles__list" aria-label="Roles">
        <h2 className="roles__list-title">Roles</h2>
        <ul>
          {list.map((r) => (
            <li key={r.id}>
              <button type="button" className="roles__item" aria-current={selected?.id === r.id ? 'true' : undefined} onClick={() => setChosen(r.id)}>
                <span className="roles__name">{r.name}{r.fixed && <LockIcon label="locked" />}</span>
                <span className="roles__count">{r.memberCount ?? 0} {(r.memberCount ?? 0) === 1 ? 'member' : 'members'}</span>
              </button>
            </li>
          ))}
        </ul>
        {rules.manageRoles && (
          <button type="button" className="button roles__new" aria-current={chosen === NEW ? 'true' : undefined} onClick={() => setChosen(NEW)}>+ New role</button>
        )}
      </nav>
      <RoleForm key={selected?.id ?? NEW} projectId={projectId} role={selected} roles={list}
        catalog={catalog.data} rules={rules} onSaved={(id) => setChosen(id)} onDeleted={() => setChosen(null)} />
    </div>
  );
}

interface RoleFormProps {
  projectId: string;
  /** null: a new role. */
  role: RoleView | null;
  roles: RoleView[];
  catalog: PermissionCatalog;
  rules: SettingsRules;
  onSaved(id: string): void;
  onDeleted(): void;
}

function RoleForm({ projectId, role, roles, catalog, rules, onSaved, onDeleted }: RoleFormProps) {
  const qc = useQueryClient();
  const [name, setName] = useState(role?.name ?? '');
  const [perms, setPerms] = useState<Set<Permission>>(() => new Set(role?.permissions as Permission[] | undefined));
  const [assignedOnly, setAssignedOnly] = useState(role?.assignedOnly ?? false);
  const [saved, setSaved] = useState(false);
  const form = useForm(['name', 'permissions']);
  const editable = rules.manageRoles && (!role || rules.editRole(role).allowed);
  const dirty = !role || name !== role.name || assignedOnly !== role.assignedOnly
    || perms.size !== role.permissions.length || role.permissions.some((p) => !perms.has(p as Permission));

  const toggle = (p: Permission, on: boolean) => {
    setSaved(false);
    setPerms((s) => {
      const next = new Set(s);
      if (on) next.add(p);
      else next.delete(p);
      return next;
    });
  };
  const refresh = () => Promise.all([
    qc.invalidateQueries({ queryKey: keys.roles(projectId) }),
    qc.invalidateQueries({ queryKey: keys.project(projectId) }), // my own permissions may have changed
    qc.invalidateQueries({ queryKey: keys.members(projectId) }),
    qc.invalidateQueries({ queryKey: keys.boards(projectId) }),
  ]);
  const submit = form.onSubmit(async () => {
    setSaved(false);
    const problem = nameProblem(name);
    if (problem) return form.setProblem('name', `The name ${problem}.`);
    const body = { name, permissions: catalog.permissions.filter((p) => perms.has(p)), assignedOnly };
    const answer = role ? await api.roles.update(projectId, role.id, body) : await api.roles.create(projectId, body);
    await refresh();
    setSaved(true);
    onSaved(answer.id);
  });

  const title = role ? role.name : 'New role';
  const lockReason = role && !rules.editRole(role).allowed
    ? `${role.name} holds every permission and cannot be edited or deleted, so the project can always be run.`
    : !rules.manageRoles ? 'You may look at the roles; changing them needs the roles.manage permission.' : null;
  return (
    <section className="panel roles__editor" aria-labelledby="role-editor-title">
      <form onSubmit={submit} noValidate>
        <div className="roles__head">
          <div>
            <h2 id="role-editor-title" className="settings-panel__title">{title}</h2>
            {role && <p className="settings-panel__intro">{role.memberCount ?? 0} {(role.memberCount ?? 0) === 1 ? 'member has' : 'members have'} this role. Changes apply on their next request.</p>}
          </div>
          {editable && (
            <div className="roles__actions">
              {saved && !dirty && <span className="success" role="status">Saved.</span>}
              <SubmitButton busy={form.busy}>{role ? 'Save role' : 'Create role'}</SubmitButton>
            </div>
          )}
        </div>
        {lockReason && <p className="notice roles__locked" role="note"><LockIcon /> {lockReason}</p>}
        <FormError>{form.formError}</FormError>
        {editable && (
          <div className="roles__basics">
            <Field label="Role name" name="name" value={name} onChange={(e) => { setName(e.target.value); setSaved(false); }} error={form.errorFor('name')} />
            <label className="toggle toggle--inline">
              <input type="checkbox" role="switch" checked={assignedOnly} onChange={(e) => { setAssignedOnly(e.target.checked); setSaved(false); }} />
              <span className="toggle__track" aria-hidden="true" />
              <span>Only what is assigned <span className="toggle__note">(shared collections do not count, as for a vendor)</span></span>
            </label>
          </div>
        )}
        {form.errorFor('permissions') && <p className="field__error" role="alert">{form.errorFor('permissions')}</p>}
        <div className="areas">
          {catalog.areas.map((area) => (
            <fieldset key={area.area} className="area">
              <legend className="area__title">{area.label}</legend>
              {area.permissions.map((p) => {
                const grant = rules.grantPermission(p);
                // Taking a permission away is always offered; adding one needs the right to grant it.
                const locked = !editable || (!perms.has(p) && !grant.allowed);
                return (
                  <PermissionToggle key={p} permission={p} description={catalog.descriptions[p]} on={role?.fixed || perms.has(p)} locked={locked}
                    why={editable && locked ? 'Only someone who holds this permission may grant it.' : null} onChange={(on) => toggle(p, on)} />
                );
              })}
            </fieldset>
          ))}
        </div>
      </form>
      {role && editable && rules.deleteRole(role).allowed && <DeleteRole projectId={projectId} role={role} roles={roles} rules={rules} onDeleted={async () => { await refresh(); onDeleted(); }} />}
    </section>
  );
}

function PermissionToggle({ permission, description, on, locked, why, onChange }: {
  permission: Permission; description: string | undefined; on: boolean; locked: boolean; why: string | null; onChange(on: boolean): void;
}) {
  const id = `perm-${permission.replace('.', '-')}`;
  return (
    <div className={`perm${locked ? ' perm--locked' : ''}`}>
      <input id={id} type="checkbox" role="switch" className="perm__input" checked={on} disabled={locked} onChange={(e) => onChange(e.target.checked)}
        aria-describedby={`${id}-about`} />
      <label htmlFor={id} className="perm__label">
        <span className="toggle__track" aria-hidden="true" />
        <code className="perm__name">{permission}</code>
      </label>
      <p id={`${id}-about`} className="perm__about">{description ?? ''}{why && <span className="perm__why"> {why}</span>}</p>
    </div>
  );
}

function DeleteRole({ projectId, role, roles, rules, onDeleted }: { projectId: string; role: RoleView; roles: RoleView[]; rules: SettingsRules; onDeleted(): Promise<void> }) {
  const inUse = (role.memberCount ?? 0) > 0;
  const others = roles.filter((r) => r.id !== role.id && rules.grant(r));
  const [open, setOpen] = useState(false);
  const [replacement, setReplacement] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const action = useAction();
  const run = () => {
    if (inUse && !replacement) return setProblem(`Choose the role its ${role.memberCount} ${role.memberCount === 1 ? 'member moves' : 'members move'} to.`);
    setProblem(null);
    void action.run(async () => {
      await api.roles.delete(projectId, role.id, inUse ? { replacementRoleId: replacement } : {});
      await onDeleted();
    });
  };
  if (!open) {
    return (
      <div className="roles__delete">
        <button type="button" className="button button--danger" onClick={() => setOpen(true)}>Delete role…</button>
      </div>
    );
  }
  return (
    <div className="roles__delete roles__delete--open" role="group" aria-label={`Delete ${role.name}`}>
      <p><strong>Delete {role.name}?</strong> {inUse ? 'Its members keep their place in the project with another role.' : 'Nobody has this role.'}</p>
      {inUse && (
        <SelectField label={`Move its ${role.memberCount} ${role.memberCount === 1 ? 'member' : 'members'} to`} value={replacement}
          onChange={(e) => setReplacement(e.target.value)} error={problem}>
          <option value="">Choose a role…</option>
          {others.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
        </SelectField>
      )}
      {action.error && <p className="notice notice--error" role="alert">{action.error}</p>}
      <div className="form-actions">
        <button type="button" className="button button--danger button--primary" disabled={action.busy} onClick={run}>
          {action.busy ? 'Deleting…' : inUse ? 'Delete and move members' : 'Delete role'}
        </button>
        <button type="button" className="button" onClick={() => setOpen(false)}>Cancel</button>
      </div>
    </div>
  );
}
