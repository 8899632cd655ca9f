// The project's statuses (the board's columns): name, short label, colour, category and order.
// Each row saves on its own; deleting one moves its tasks to a status chosen here.
import { useId, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { STATUS_CATEGORIES, type StatusCategory } from '@backlot/core';
import type { StatusView } from '@backlot/api';
import { api } from '../../app/api.ts';
import { keys } from '../../app/query.ts';
import { useAction } from '../../app/use-action.ts';
import { useForm } from '../../app/use-form.ts';
import { Field, FormError, SubmitButton } from '../../ui/forms.tsx';
import { Loading, LoadError } from '../../ui/page.tsx';
import { SelectField } from '../../ui/SelectField.tsx';
import { SettingsPanel } from '../../ui/SettingsLayout.tsx';
import type { SettingsRules } from './rules.ts';

const CATEGORY_NAMES: Record<StatusCategory, string> = {
  todo: 'To do', active: 'In progress', review: 'Waiting for approval', retake: 'Retake', done: 'Done',
};

const FIELDS = ['name', 'shortLabel', 'color', 'category'];

export function Statuses({ projectId, rules }: { projectId: string; rules: SettingsRules }) {
  const qc = useQueryClient();
  const statuses = useQuery({ queryKey: keys.statuses(projectId), queryFn: async () => (await api.browse.statuses(projectId)).statuses });
  const reorder = useAction();
  if (statuses.isPending) return <Loading />;
  if (statuses.isError) return <LoadError error={statuses.error} retry={() => void statuses.refetch()} />;
  const list = [...statuses.data].sort((a, b) => a.order - b.order);
  const refresh = () => Promise.all([qc.invalidateQueries({ queryKey: keys.statuses(projectId) }), qc.invalidateQueries({ queryKey: keys.boards(projectId) })]);
  // Moving one place: every status whose position changed gets its new order.
  const move = (index: number, by: -1 | 1) => reorder.run(async () => {
    const next = [...list];
    [next[index], next[index + by]] = [next[index + by], next[index]];
    try {
      for (const [i, s] of next.entries()) if (s.order !== i) await api.production.updateStatus(projectId, s.id, { order: i });
    } finally {
      await refresh();
    }
  });
  return (
    <>
      <SettingsPanel title="Statuses"
        intro="Each status is a column on the board, in this order. Its category gives it meaning: moving a task into a Done status is an approval, into a Retake status a retake, and each needs its own permission.">
        {reorder.error && <p className="notice notice--error" role="alert">{reorder.error}</p>}
        <div className="status-grid status-grid--head" aria-hidden="true">
          <span>Colour</span><span>Name</span><span>Short label</span><span>Category</span><span>Order</span><span />
        </div>
        <ul className="status-list" aria-label="Statuses">
          {list.map((s, i) => (
            <StatusRow key={s.id} projectId={projectId} status={s} others={list.filter((o) => o.id !== s.id)} editable={rules.editSettings}
              first={i === 0} last={i === list.length - 1} moving={reorder.busy} onMove={(by) => void move(i, by)} refresh={refresh} />
          ))}
        </ul>
      </SettingsPanel>
      {rules.editSettings && <AddStatus projectId={projectId} nextOrder={list.length} refresh={refresh} />}
    </>
  );
}

interface RowProps {
  projectId: string;
  status: StatusView;
  others: StatusView[];
  editable: boolean;
  first: boolean;
  last: boolean;
  moving: boolean;
  onMove(by: -1 | 1): void;
  refresh(): Promise<unknown>;
}

function StatusRow({ projectId, status, others, editable, first, last, moving, onMove, refresh }: RowProps) {
  const [name, setName] = useState(status.name);
  const [shortLabel, setShortLabel] = useState(status.shortLabel);
  const [color, setColor] = useState(status.color);
  const [category, setCategory] = useState<StatusCategory>(status.category);
  const [deleting, setDeleting] = useState(false);
  const form = useForm(FIELDS);
  const dirty = name !== status.name || shortLabel !== status.shortLabel || color.toLowerCase() !== status.color.toLowerCase() || category !== status.category;
  const submit = form.onSubmit(async () => {
    if (!name.trim()) return form.setProblem('name', 'Give the status a name.');
    if (!shortLabel.trim()) return form.setProblem('shortLabel', 'Give it a short label.');
    await api.production.updateStatus(projectId, status.id, { name, shortLabel, color, category });
    await refresh();
  });
  const reset = () => {
    setName(status.name);
    setShortLabel(status.shortLabel);
    setColor(status.color);
    setCategory(status.category);
  };
  const n = status.name;
  return (
    <li className="status-item">
      <form className="status-grid" onSubmit={submit} noValidate aria-label={`Status ${n}`}>
        <ColourField label={`Colour of ${n}`} value={color} onChange={setColor} disabled={!editable} error={form.errorFor('color')} />
        <Field label={`Name of ${n}`} className="field--bare" value={name} onChange={(e) => setName(e.target.value)} readOnly={!editable} error={form.errorFor('name')} />
        <Field label={`Short label of ${n}`} className="field--bare" value={shortLabel} onChange={(e) => setShortLabel(e.target.value)} readOnly={!editable} error={form.errorFor('shortLabel')} />
        <SelectField label={`Category of ${n}`} hideLabel value={category} disabled={!editable} onChange={(e) => setCategory(e.target.value as StatusCategory)} error={form.errorFor('category')}>
          {STATUS_CATEGORIES.map((c) => <option key={c} value={c}>{CATEGORY_NAMES[c]}</option>)}
        </SelectField>
        <span className="status-item__order">
          {editable && (
            <>
              <button type="button" className="icon-button" disabled={first || moving} onClick={() => onMove(-1)} aria-label={`Move ${n} up`}><span aria-hidden="true">↑</span></button>
              <button type="button" className="icon-button" disabled={last || moving} onClick={() => onMove(1)} aria-label={`Move ${n} down`}><span aria-hidden="true">↓</span></button>
            </>
          )}
        </span>
        <span className="status-item__actions">
          {editable && dirty && (
            <>
              <SubmitButton busy={form.busy}>Save</SubmitButton>
              <button type="button" className="button button--quiet button--small" onClick={reset}>Undo</button>
            </>
          )}
          {editable && !dirty && !deleting && others.length > 0 && (
            <button type="button" className="button button--small button--danger" onClick={() => setDeleting(true)} aria-label={`Delete ${n}`}>Delete</button>
          )}
        </span>
        {form.formError && <div className="status-item__error"><FormError>{form.formError}</FormError></div>}
      </form>
      {deleting && <DeleteStatus projectId={projectId} status={status} others={others} onClose={() => setDeleting(false)} refresh={refresh} />}
    </li>
  );
}

/** The colour picker with the hex value beside it (for those who would rather type it). */
function ColourField({ label, value, onChange, disabled, error }: { label: string; value: string; onChange(v: string): void; disabled: boolean; error: string | null }) {
  const id = useId();
  return (
    <div className={`field field--bare colour-field${error ? ' field--invalid' : ''}`}>
      <label className="visually-hidden" htmlFor={id}>{label}</label>
      <input id={id} type="color" className="colour-field__input" value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)} />
      <span className="colour-field__hex" aria-hidden="true">{value.toUpperCase()}</span>
      {error && <p className="field__error">{error}</p>}
    </div>
  );
}

function DeleteStatus({ projectId, status, others, onClose, refresh }: { projectId: string; status: StatusView; others: StatusView[]; onClose(): void; refresh(): Promise<unknown> }) {
  const [replacementId, setReplacementId] = useState(others[0]?.id ?? '');
  const action = useAction();
  const run = () => action.run(async () => {
    await api.production.deleteStatus(projectId, status.id, { replacementId });
    await refresh();
  });
  return (
    <div className="status-delete" role="group" aria-label={`Delete ${status.name}`}>
      <SelectField label={`Move the tasks in ${status.name} to`} value={replacementId} onChange={(e) => setReplacementId(e.target.value)}>
        {others.map((o) => <option key={o.id} value={o.id}>{o.name}</option>)}
      </SelectField>
      <button type="button" className="button button--danger button--primary" disabled={action.busy} onClick={() => void run()}>{action.busy ? 'Deleting…' : `Delete ${status.name}`}</button>
      <button type="button" className="button" onClick={onClose}>Cancel</button>
      {action.error && <p className="notice notice--error status-delete__error" role="alert">{action.error}</p>}
    </div>
  );
}

function AddStatus({ projectId, nextOrder, refresh }: { projectId: string; nextOrder: number; refresh(): Promise<unknown> }) {
  const [name, setName] = useState('');
  const [shortLabel, setShortLabel] = useState('');
  const [color, setColor] = useState('#6b7280');
  const [category, setCategory] = useState<StatusCategory>('active');
  const form = useForm(FIELDS);
  const submit = form.onSubmit(async () => {
    if (!name.trim()) return form.setProblem('name', 'Give the status a name.');
    if (!shortLabel.trim()) return form.setProblem('shortLabel', 'Give it a short label (shown on small cards).');
    await api.production.createStatus(projectId, { name, shortLabel, color, category, order: nextOrder });
    setName('');
    setShortLabel('');
    await refresh();
  });
  return (
    <SettingsPanel title="Add a status">
      <form className="add-status" onSubmit={submit} noValidate>
        <Field label="Name" value={name} onChange={(e) => setName(e.target.value)} error={form.errorFor('name')} placeholder="Layout review" />
        <Field label="Short label" value={shortLabel} onChange={(e) => setShortLabel(e.target.value)} error={form.errorFor('shortLabel')} placeholder="LRV" />
        <div className="field">
          <label htmlFor="new-status-colour">Colour</label>
          <input id="new-status-colour" type="color" className="colour-field__input" value={color} onChange={(e) => setColor(e.target.value)} />
        </div>
        <SelectField label="Category" value={category} onChange={(e) => setCategory(e.target.value as StatusCategory)} error={form.errorFor('category')}>
          {STATUS_CATEGORIES.map((c) => <option key={c} value={c}>{CATEGORY_NAMES[c]}</option>)}
        </SelectField>
        <div className="add-status__submit"><SubmitButton busy={form.busy}>Add status</SubmitButton></div>
        <div className="add-status__error"><FormError>{form.formError}</FormError></div>
      </form>
    </SettingsPanel>
  );
}
