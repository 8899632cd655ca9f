// Whether the asset is a task (assignee, status, soft lock) or a resource (anyone who may
// checkpoint it does), and turning one into the other (PRODUCT.md: "convertible"). Making a task a
// resource clears its assignee, status and pending requests, so that asks to be confirmed.
import { useState } from 'react';
import type { AssetDetail } from '@backlot/api';
import { api } from '../../app/api.ts';
import { messageOf } from '../../app/errors.ts';
import { InlineConfirm } from '../../ui/InlineConfirm.tsx';

interface Props {
  projectId: string;
  asset: AssetDetail;
  /** The caller may change the asset (asset.update). */
  canConvert: boolean;
  onChanged(): Promise<void>;
}

export function KindSwitch({ projectId, asset, canConvert, onChanged }: Props) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const isTask = asset.kind === 'task';
  const convert = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.production.updateAsset(projectId, asset.id, { kind: isTask ? 'resource' : 'task' });
      setConfirming(false);
      await onChanged();
    } catch (err) {
      setError(`It could not be changed: ${messageOf(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <span>{isTask ? 'Task' : 'Resource'}</span>
      {canConvert && !confirming && (
        <button type="button" className="button button--small kind__switch" disabled={busy}
          onClick={() => (isTask ? setConfirming(true) : void convert())}>
          {isTask ? 'Make it a resource' : 'Make it a task'}
        </button>
      )}
      {confirming && (
        <InlineConfirm label="Confirm making this task a resource" question="Its assignee, status and pending requests are cleared."
          confirm="Make it a resource" busy={busy} onConfirm={() => void convert()} onCancel={() => setConfirming(false)} />
      )}
      {error && <span className="field__error" role="alert">{error}</span>}
    </>
  );
}
