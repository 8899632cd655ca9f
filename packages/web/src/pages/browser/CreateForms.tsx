// Making a collection or an asset in the folder shown. The forms keep what was typed when the
// server refuses (the message goes next to the field it is about) and clear only on success.
import { useState } from 'react';
import { nameProblem } from '@backlot/core';
import type { ProjectSettings } from '@backlot/api';
import { api } from '../../app/api.ts';
import { useForm } from '../../app/use-form.ts';
import { Field, FormError, SubmitButton } from '../../ui/forms.tsx';

interface Props {
  projectId: string;
  /** Where the new item goes ('' = top level). */
  folder: string;
  folderName: string;
  settings: ProjectSettings | undefined;
  onCreated(message: string): Promise<void>;
  onClose(): void;
}

export function NewCollectionForm({ projectId, folder, folderName, settings, onCreated, onClose }: Props) {
  const [name, setName] = useState('');
  const [type, setType] = useState('');
  const [shared, setShared] = useState(false);
  const form = useForm(['name', 'collectionType']);
  const submit = form.onSubmit(async () => {
    const problem = nameProblem(name);
    if (problem) return form.setProblem('name', `The name ${problem}.`);
    await api.production.createCollection(projectId, { parentId: folder || null, name: name.trim(), collectionType: type || null, shared });
    await onCreated(`Collection “${name.trim()}” created in ${folderName}.`);
    setName('');
  });
  return (
    <form className="panel create-form" onSubmit={submit} noValidate aria-label="New collection">
      <h2 className="create-form__title">New collection in {folderName}</h2>
      <div className="create-form__fields">
        <Field label="Collection name" name="name" value={name} onChange={(e) => setName(e.target.value)} error={form.errorFor('name')} autoFocus />
        {!!settings?.collectionTypes.length && (
          <div className="field">
            <label htmlFor="new-collection-type">Type</label>
            <select id="new-collection-type" value={type} onChange={(e) => setType(e.target.value)}>
              <option value="">None</option>
              {settings.collectionTypes.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          </div>
        )}
        <label className="check check--text"><input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} /> Shared with every member</label>
      </div>
      <FormError>{form.formError}</FormError>
      <div className="create-form__actions">
        <SubmitButton busy={form.busy}>Create collection</SubmitButton>
        <button type="button" className="button button--quiet" onClick={onClose}>Close</button>
      </div>
    </form>
  );
}

export function NewAssetForm({ projectId, folder, folderName, settings, onCreated, onClose }: Props) {
  const [name, setName] = useState('');
  const [extension, setExtension] = useState('');
  const [kind, setKind] = useState<'task' | 'resource'>('task');
  const [type, setType] = useState('');
  const form = useForm(['name', 'extension', 'assetType']);
  const submit = form.onSubmit(async () => {
    const problem = nameProblem(name);
    if (problem) return form.setProblem('name', `The name ${problem}.`);
    const ext = extension.trim().replace(/^\./, '');
    await api.production.createAsset(projectId, { collectionId: folder || null, name: name.trim(), ...(ext && { extension: ext }), kind, assetType: type || null });
    await onCreated(`${kind === 'task' ? 'Task' : 'Resource'} “${name.trim()}${ext ? `.${ext}` : ''}” created in ${folderName}.`);
    setName('');
  });
  return (
    <form className="panel create-form" onSubmit={submit} noValidate aria-label="New asset">
      <h2 className="create-form__title">New asset in {folderName}</h2>
      <div className="create-form__fields">
        <Field label="Asset name" name="name" value={name} onChange={(e) => setName(e.target.value)} error={form.errorFor('name')} autoFocus />
        <Field label="Extension" name="extension" placeholder="blend" value={extension} onChange={(e) => setExtension(e.target.value)} error={form.errorFor('extension')} className="field--small" />
        <div className="field field--small">
          <label htmlFor="new-asset-kind">Kind</label>
          <select id="new-asset-kind" value={kind} onChange={(e) => setKind(e.target.value as 'task' | 'resource')}>
            <option value="task">Task</option>
            <option value="resource">Resource</option>
          </select>
        </div>
        {!!settings?.assetTypes.length && (
          <div className="field field--small">
            <label htmlFor="new-asset-type">Type</label>
            <select id="new-asset-type" value={type} onChange={(e) => setType(e.target.value)}>
              <option value="">None</option>
              {settings.assetTypes.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          </div>
        )}
      </div>
      <FormError>{form.formError}</FormError>
      <div className="create-form__actions">
        <SubmitButton busy={form.busy}>Create asset</SubmitButton>
        <button type="button" className="button button--quiet" onClick={onClose}>Close</button>
      </div>
    </form>
  );
}
