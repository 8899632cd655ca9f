// Storage the studio's projects use (stored, compressed bytes) against the studio's quota; owners
// and admins may set the quota. Pushes beyond it are refused by the server.
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { authorizeStudio, type StudioActor } from '@backlot/core';
import type { StudioUsage, StudioView } from '@backlot/api';
import { api } from '../../app/api.ts';
import { keys } from '../../app/query.ts';
import { useForm } from '../../app/use-form.ts';
import { Field, FormError, SubmitButton } from '../../ui/forms.tsx';
import { Loading, LoadError } from '../../ui/page.tsx';
import { SettingsPanel } from '../../ui/SettingsLayout.tsx';
import { formatBytes as bytes } from '../../ui/format.ts';
import { UsageBar } from './UsageBar.tsx';

const GB = 1024 ** 3;

export function Usage({ studio, actor }: { studio: StudioView; actor: StudioActor }) {
  const usage = useQuery({ queryKey: keys.studioUsage(studio.id), queryFn: () => api.content.studioUsage(studio.id) });
  const canSetQuota = authorizeStudio(actor, 'studio.quota.set').allowed;
  if (usage.isPending) return <Loading />;
  if (usage.isError) return <LoadError error={usage.error} retry={() => void usage.refetch()} />;
  const u = usage.data;
  return (
    <>
      <SettingsPanel title="Storage" intro="What the studio's checkpoints take on the server, after de-duplication and compression.">
        <UsageBar label="Studio storage" used={u.usedBytes} quota={u.quotaBytes} />
        <dl className="usage-facts">
          <div><dt>Stored</dt><dd>{bytes(u.usedBytes)}</dd></div>
          <div><dt>Files as saved</dt><dd>{bytes(u.rawBytes)}</dd></div>
          <div><dt>Quota</dt><dd>{u.quotaBytes === null ? 'No limit' : bytes(u.quotaBytes)}</dd></div>
        </dl>
        {canSetQuota && <QuotaForm studioId={studio.id} usage={u} />}
      </SettingsPanel>
      <SettingsPanel title="By project">
        {u.projects.length === 0 ? <p className="muted">No projects yet.</p> : (
          <table className="table table--compact">
            <caption className="visually-hidden">Storage by project</caption>
            <thead><tr><th scope="col">Project</th><th scope="col" className="num">Stored</th><th scope="col" className="num">Files as saved</th><th scope="col" className="num">Quota</th></tr></thead>
            <tbody>
              {u.projects.map((p) => (
                <tr key={p.id}>
                  <td><span className="table__strong">{p.name}</span>{p.status === 'archived' && <> <span className="badge badge--muted">Archived</span></>}</td>
                  <td className="num">{bytes(p.usedBytes)}</td>
                  <td className="num">{bytes(p.rawBytes)}</td>
                  <td className="num">{p.quotaBytes === null ? '—' : bytes(p.quotaBytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </SettingsPanel>
    </>
  );
}

function QuotaForm({ studioId, usage }: { studioId: string; usage: StudioUsage }) {
  const qc = useQueryClient();
  const [gb, setGb] = useState(usage.quotaBytes === null ? '' : String(Math.round((usage.quotaBytes / GB) * 100) / 100));
  const [saved, setSaved] = useState<string | null>(null);
  const form = useForm(['bytes']);
  const save = (value: number | null) => async () => {
    setSaved(null);
    await api.content.setStudioQuota(studioId, value);
    setSaved(value === null ? 'The quota is removed.' : `The quota is now ${bytes(value)}.`);
    if (value === null) setGb('');
    await qc.invalidateQueries({ queryKey: keys.studioUsage(studioId) });
  };
  const submit = form.onSubmit(async () => {
    const n = Number(gb.trim().replace(',', '.'));
    if (!gb.trim() || !Number.isFinite(n) || n < 0) return form.setProblem('bytes', 'Enter a size in GB (for example 500), or remove the quota.');
    await save(Math.round(n * GB))();
  });
  return (
    <form onSubmit={submit} noValidate className="quota-form">
      <Field label="Studio quota (GB)" name="bytes" inputMode="decimal" value={gb} onChange={(e) => setGb(e.target.value)} error={form.errorFor('bytes')}
        hint="Pushes that would go beyond it are refused." />
      <SubmitButton busy={form.busy}>Set quota</SubmitButton>
      {usage.quotaBytes !== null && (
        <button type="button" className="button" disabled={form.busy} onClick={form.onSubmit(save(null))}>Remove quota</button>
      )}
      <FormError>{form.formError}</FormError>
      {saved && <p className="success quota-form__saved" role="status">{saved}</p>}
    </form>
  );
}
