// Share links of this asset's checkpoints: make one (with an expiry), copy its link, which is
// shown once (the server keeps only a hash of the token), and revoke it. Listing and revoking
// need share.manage; making one needs it on a visible asset.
import { useEffect, useId, useRef, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ShareCreated, ShareView } from '@backlot/api';
import { api } from '../../app/api.ts';
import { messageOf } from '../../app/errors.ts';
import { useForm } from '../../app/use-form.ts';
import { FormError, SubmitButton } from '../../ui/forms.tsx';
import { when } from '../browser/project-data.ts';

const EXPIRIES = [
  { id: '1', label: '1 day', days: 1 },
  { id: '7', label: '7 days', days: 7 },
  { id: '30', label: '30 days', days: 30 },
  { id: 'never', label: 'Never', days: null },
] as const;

interface Props {
  projectId: string;
  assetId: string;
  checkpoints: { id: string; number: number }[];
  /** The checkpoint picked from the timeline. */
  chosen: string | null;
  canCreate: boolean;
  canManage: boolean;
}

export const sharesKey = (projectId: string) => ['shares', projectId] as const;

export function Shares({ projectId, assetId, checkpoints, chosen, canCreate, canManage }: Props) {
  const qc = useQueryClient();
  const shares = useQuery({ queryKey: sharesKey(projectId), queryFn: async () => (await api.content.listShares(projectId)).shares, enabled: canManage });
  const mine = (shares.data ?? []).filter((s) => s.assetId === assetId && s.state !== 'revoked');
  const [created, setCreated] = useState<ShareCreated | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const revoke = async (s: ShareView) => {
    setBusy(s.id);
    setError(null);
    try {
      await api.content.revokeShare(projectId, s.id);
      if (created?.id === s.id) setCreated(null);
      await qc.invalidateQueries({ queryKey: sharesKey(projectId) });
    } catch (err) {
      setError(`The link could not be revoked: ${messageOf(err)}`);
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="panel" aria-labelledby="shares-title">
      <h2 id="shares-title" className="panel__title">Share links</h2>
      {canCreate && checkpoints.length > 0 && (
        <CreateShare projectId={projectId} checkpoints={checkpoints} chosen={chosen}
          onCreated={async (s) => { setCreated(s); await qc.invalidateQueries({ queryKey: sharesKey(projectId) }); }} />
      )}
      {canCreate && checkpoints.length === 0 && <p className="lead">A share link publishes one checkpoint; this asset has none yet.</p>}
      {created && <NewLink share={created} />}
      {error && <p className="field__error" role="alert">{error}</p>}
      {canManage && (shares.isError ? <p className="field__error" role="alert">{messageOf(shares.error)}</p> : mine.length > 0 ? (
        <ul className="shares">
          {mine.map((s) => (
            <li key={s.id} className="shares__item">
              <div>
                <strong>{s.fileName}</strong> · checkpoint #{checkpoints.find((c) => c.id === s.checkpointId)?.number ?? '?'}
                <p className="timeline__meta">
                  {s.state === 'expired' ? 'Expired' : s.expiresAt ? `Expires ${when(s.expiresAt)}` : 'Never expires'} · {s.downloadCount} download{s.downloadCount === 1 ? '' : 's'}
                </p>
              </div>
              <button type="button" className="button button--small" disabled={busy === s.id} onClick={() => void revoke(s)}
                aria-label={`Revoke the link to checkpoint #${checkpoints.find((c) => c.id === s.checkpointId)?.number ?? ''} made ${when(s.createdAt)}`}>Revoke</button>
            </li>
          ))}
        </ul>
      ) : shares.isSuccess && <p className="lead">No active links to this asset.</p>)}
    </section>
  );
}

function CreateShare({ projectId, checkpoints, chosen, onCreated }: { projectId: string; checkpoints: { id: string; number: number }[]; chosen: string | null; onCreated(s: ShareCreated): Promise<void> }) {
  const [checkpoint, setCheckpoint] = useState(chosen ?? checkpoints[0].id);
  const [expiry, setExpiry] = useState<string>('7');
  const selectRef = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    if (chosen) {
      setCheckpoint(chosen);
      selectRef.current?.focus();
    }
  }, [chosen]);
  const form = useForm(['expiresAt']);
  const cpId = useId();
  const exId = useId();
  const submit = form.onSubmit(async () => {
    const days = EXPIRIES.find((e) => e.id === expiry)?.days ?? null;
    const expiresAt = days === null ? null : new Date(Date.now() + days * 86_400_000).toISOString();
    await onCreated(await api.content.createShare(projectId, checkpoint, { expiresAt }));
  });
  return (
    <form className="share-form" onSubmit={submit} noValidate aria-label="New share link">
      <div className="field">
        <label htmlFor={cpId}>Checkpoint</label>
        <select id={cpId} ref={selectRef} value={checkpoint} onChange={(e) => setCheckpoint(e.target.value)}>
          {checkpoints.map((c) => <option key={c.id} value={c.id}>#{c.number}</option>)}
        </select>
      </div>
      <div className="field">
        <label htmlFor={exId}>Expires after</label>
        <select id={exId} value={expiry} onChange={(e) => setExpiry(e.target.value)}>
          {EXPIRIES.map((e) => <option key={e.id} value={e.id}>{e.label}</option>)}
        </select>
        {form.errorFor('expiresAt') && <p className="field__error">{form.errorFor('expiresAt')}</p>}
      </div>
      <SubmitButton busy={form.busy}>Create link</SubmitButton>
      <FormError>{form.formError}</FormError>
    </form>
  );
}

/** The new link, shown once: the server cannot show it again. */
function NewLink({ share }: { share: ShareCreated }) {
  const [copied, setCopied] = useState(false);
  const id = useId();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(share.url);
      setCopied(true);
    } catch {
      document.getElementById(id)?.focus();
    }
  };
  return (
    <div className="notice notice--info share-new" role="status">
      <div className="share-new__body">
        <label htmlFor={id}>New link (shown only now)</label>
        <input id={id} readOnly value={share.url} onFocus={(e) => e.target.select()} />
      </div>
      <button type="button" className="button button--small" onClick={() => void copy()}>{copied ? 'Copied' : 'Copy link'}</button>
    </div>
  );
}
