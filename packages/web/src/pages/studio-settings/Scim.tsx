// SCIM 2.0 provisioning: the base URL to give the IdP, and the studio's one bearer token.
// Creating a token again rotates it (the old one stops at once); the secret is shown once.
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { NewScimToken, StudioView } from '@backlot/api';
import { api } from '../../app/api.ts';
import { useAction } from '../../app/use-action.ts';
import { CopyField } from '../../ui/CopyField.tsx';
import { OneTimeSecret } from '../../ui/OneTimeSecret.tsx';
import { Loading, LoadError } from '../../ui/page.tsx';
import { SettingsPanel } from '../../ui/SettingsLayout.tsx';
import { identityKeys } from './identity-keys.ts';
import { date } from './words.ts';
import './identity.css';

export function Scim({ studio }: { studio: StudioView }) {
  const qc = useQueryClient();
  const status = useQuery({ queryKey: identityKeys.scim(studio.id), queryFn: () => api.scim.status(studio.id) });
  const [fresh, setFresh] = useState<NewScimToken | null>(null);
  const [confirm, setConfirm] = useState<'rotate' | 'revoke' | null>(null);
  const action = useAction();
  const refresh = () => qc.invalidateQueries({ queryKey: identityKeys.scim(studio.id) });
  const issue = () => action.run(async () => {
    setConfirm(null);
    try {
      setFresh(await api.scim.issueToken(studio.id));
    } finally {
      await refresh();
    }
  });
  const revoke = () => action.run(async () => {
    setConfirm(null);
    setFresh(null);
    try {
      await api.scim.revokeToken(studio.id);
    } finally {
      await refresh();
    }
  });
  if (status.isPending) return <Loading label="Loading provisioning…" />;
  if (status.isError) return <LoadError error={status.error} retry={() => void status.refetch()} />;
  const token = status.data.token;
  return (
    <SettingsPanel title="Provisioning (SCIM)"
      intro="Your identity provider creates, updates and deactivates people here. Deactivating someone ends their sessions and tokens at once; their work stays.">
      <div className="scim-facts">
        <div className="field">
          <span className="scim-facts__label">SCIM base URL</span>
          <CopyField label="SCIM base URL" value={status.data.baseUrl} />
          <p className="field__hint">“Tenant URL” in Entra ID, “SCIM connector base URL” in Okta (unique identifier: userName).</p>
        </div>
        <p className="scim-facts__status" role="status">
          {token ? <><span className="badge badge--ok">Token active</span> Created {date(token.createdAt)}; {token.lastUsedAt ? `last used ${date(token.lastUsedAt)}` : 'not used yet'}.</>
            : <><span className="badge badge--muted">No token</span> Provisioning is off until you create one.</>}
        </p>
      </div>
      {action.error && <p className="notice notice--error" role="alert">{action.error}</p>}
      {confirm ? (
        <div className="confirm" role="group" aria-label={confirm === 'rotate' ? 'Confirm rotating the SCIM token' : 'Confirm revoking the SCIM token'}>
          <span className="confirm__text">
            {confirm === 'rotate' ? 'The current token stops at once: paste the new one into your IdP straight away.' : 'Your IdP can no longer provision or deprovision anyone.'}
          </span>
          <button type="button" className="button button--small button--danger button--primary" autoFocus disabled={action.busy}
            onClick={() => void (confirm === 'rotate' ? issue() : revoke())}>{confirm === 'rotate' ? 'Rotate' : 'Revoke'}</button>
          <button type="button" className="button button--small" onClick={() => setConfirm(null)}>Cancel</button>
        </div>
      ) : (
        <div className="form-actions">
          {token ? (
            <>
              <button type="button" className="button" disabled={action.busy} onClick={() => setConfirm('rotate')}>Rotate token…</button>
              <button type="button" className="button button--danger" disabled={action.busy} onClick={() => setConfirm('revoke')}>Revoke token…</button>
            </>
          ) : <button type="button" className="button button--primary" disabled={action.busy} onClick={() => void issue()}>Create SCIM token</button>}
        </div>
      )}
      {fresh && <OneTimeSecret label="SCIM token (HTTP header “Authorization: Bearer …”)" value={fresh.token} onDone={() => setFresh(null)} />}
    </SettingsPanel>
  );
}
