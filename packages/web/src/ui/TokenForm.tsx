// The fields of a new access token (personal, or a service account's): name, access level, an
// optional project limit and the expiry. The server checks every value; its refusal is shown
// under the field it names, and what was typed stays.
import { useId, useState } from 'react';
import { useQueries } from '@tanstack/react-query';
import type { NewAccessToken, TokenAccess, TokenFields } from '@backlot/api';
import { api } from '../app/api.ts';
import { keys } from '../app/query.ts';
import { useForm } from '../app/use-form.ts';
import { Field, FormError, SubmitButton } from './forms.tsx';
import { SelectField } from './SelectField.tsx';

export const ACCESS_NAMES: Record<TokenAccess, string> = { read: 'Read only', content: 'Content', admin: 'Admin' };
const ACCESS_HINTS: Record<TokenAccess, string> = {
  read: 'Lists, boards, history and downloads. Changes nothing.',
  content: 'Also production work: assets, checkpoints, uploads, statuses, assignments.',
  admin: 'Everything the account may do, including settings and members.',
};

interface TokenFormProps {
  /** The studios whose projects the token may be limited to. */
  studioIds: string[];
  submitLabel: string;
  create(fields: TokenFields): Promise<NewAccessToken>;
  onCreated(token: NewAccessToken): void;
}

export function TokenForm({ studioIds, submitLabel, create, onCreated }: TokenFormProps) {
  const [name, setName] = useState('');
  const [access, setAccess] = useState<TokenAccess>('read');
  const [projects, setProjects] = useState<string[]>([]);
  const [days, setDays] = useState('90');
  const form = useForm(['name', 'access', 'projects', 'expiresInDays']);
  const submit = form.onSubmit(async () => {
    if (!name.trim()) return form.setProblem('name', 'Give the token a name, such as the machine or script that uses it.');
    const expiresInDays = Number(days);
    if (!Number.isInteger(expiresInDays) || expiresInDays < 1) return form.setProblem('expiresInDays', 'Enter a whole number of days.');
    const made = await create({ name: name.trim(), access, expiresInDays, ...(projects.length ? { projects } : {}) });
    setName('');
    setProjects([]);
    onCreated(made);
  });
  return (
    <form onSubmit={submit} noValidate className="token-form">
      <Field label="Name" name="name" value={name} onChange={(e) => setName(e.target.value)} error={form.errorFor('name')}
        placeholder="render-farm-01" hint="What uses it, so you recognise it later." />
      <SelectField label="Access" value={access} onChange={(e) => setAccess(e.target.value as TokenAccess)} error={form.errorFor('access')} hint={ACCESS_HINTS[access]}>
        {(Object.keys(ACCESS_NAMES) as TokenAccess[]).map((a) => <option key={a} value={a}>{ACCESS_NAMES[a]}</option>)}
      </SelectField>
      <Field label="Expires after (days)" name="expiresInDays" type="number" min={1} max={730} inputMode="numeric" value={days}
        onChange={(e) => setDays(e.target.value)} error={form.errorFor('expiresInDays')} hint="1 to 730 days." />
      <ProjectLimit studioIds={studioIds} chosen={projects} onChange={setProjects} error={form.errorFor('projects')} />
      <FormError>{form.formError}</FormError>
      <div className="form-actions token-form__actions"><SubmitButton busy={form.busy}>{submitLabel}</SubmitButton></div>
    </form>
  );
}

/** The active projects of these studios (cached per studio, shared with the project pages). */
export function useStudioProjects(studioIds: string[]) {
  const lists = useQueries({
    queries: studioIds.map((s) => ({ queryKey: keys.projects(s, 'active'), queryFn: async () => (await api.projects.list(s, { status: 'active' })).projects })),
  });
  return lists.flatMap((l) => l.data ?? []);
}

/** Checkboxes over the projects the token could be limited to; none ticked reaches them all. */
function ProjectLimit({ studioIds, chosen, onChange, error }: { studioIds: string[]; chosen: string[]; onChange(ids: string[]): void; error: string | null }) {
  const id = useId();
  const projects = useStudioProjects(studioIds);
  if (!projects.length) return null;
  const toggle = (pid: string, on: boolean) => onChange(on ? [...chosen, pid] : chosen.filter((p) => p !== pid));
  return (
    <fieldset className="token-form__projects" aria-describedby={`${id}-hint`}>
      <legend>Limit to projects <span className="muted">(optional)</span></legend>
      <p className="field__hint" id={`${id}-hint`}>Tick none to reach every project you are in. A limited token cannot act studio-wide.</p>
      <ul className="token-form__project-list">
        {projects.map((p) => (
          <li key={p.id} className="check-field">
            <input type="checkbox" id={`${id}-${p.id}`} checked={chosen.includes(p.id)} onChange={(e) => toggle(p.id, e.target.checked)} />
            <label htmlFor={`${id}-${p.id}`}>{p.name}</label>
          </li>
        ))}
      </ul>
      {error && <p className="field__error" role="alert">{error}</p>}
    </fieldset>
  );
}
