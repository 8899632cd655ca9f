// Studio service accounts: seats for pipelines and render farms that never sign in. An owner or
// admin creates one (with a studio role they may grant), adds it to projects like anyone, and
// mints its tokens here (each secret shown once). Deactivating stops all its tokens at once.
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { authorizeGrantStudioRole, STUDIO_ROLES, type StudioActor } from '@backlot/core';
import type { AccessTokenView, NewAccessToken, ServiceAccountView, StudioRole, StudioView } from '@backlot/api';
import { api } from '../../app/api.ts';
import { useAction } from '../../app/use-action.ts';
import { useForm } from '../../app/use-form.ts';
import { Field, FormError, SubmitButton } from '../../ui/forms.tsx';
import { OneTimeSecret } from '../../ui/OneTimeSecret.tsx';
import { Loading, LoadError } from '../../ui/page.tsx';
import { SelectField } from '../../ui/SelectField.tsx';
import { SettingsPanel } from '../../ui/SettingsLayout.tsx';
import { ACCESS_NAMES, TokenForm } from '../../ui/TokenForm.tsx';
import { identityKeys } from './identity-keys.ts';
import { date, STUDIO_ROLE_NAMES } from './words.ts';
import './identity.css';
import { InlineConfirm } from '../../ui/InlineConfirm.tsx';

export function ServiceAccounts({ studio, actor }: { studio: StudioView; actor: StudioActor }) {
  const list = useQuery({ queryKey: identityKeys.serviceAccounts(studio.id), queryFn: async () => (await api.serviceAccounts.list(studio.id)).serviceAccounts });
  const live = list.data?.filter((a) => a.status !== 'deactivated') ?? [];
  return (
    <>
      <NewServiceAccount studio={studio} actor={actor} />
      <SettingsPanel title="Service accounts" intro="Add a service account to projects in each project's settings, like a person. Its tokens carry its access.">
        {list.isPending ? <Loading /> : list.isError ? <LoadError error={list.error} retry={() => void list.refetch()} />
          : live.length === 0 ? <p className="muted">No service accounts yet.</p>
          : <ul className="service-accounts">{live.map((a) => <ServiceAccountItem key={a.userId} studio={studio} account={a} />)}</ul>}
      </SettingsPanel>
    </>
  );
}

function NewServiceAccount({ studio, actor }: { studio: StudioView; actor: StudioActor }) {
  const qc = useQueryClient();
  const roles = STUDIO_ROLES.filter((r) => authorizeGrantStudioRole(actor, r).allowed);
  const [name, setName] = useState('');
  const [role, setRole] = useState<StudioRole>('member');
  const [made, setMade] = useState<string | null>(null);
  const form = useForm(['name', 'role']);
  const submit = form.onSubmit(async () => {
    setMade(null);
    if (!name.trim()) return form.setProblem('name', 'Name the account after what uses it, such as "Render farm".');
    const account = await api.serviceAccounts.create(studio.id, { name: name.trim(), role });
    setName('');
    setMade(account.name);
    await qc.invalidateQueries({ queryKey: identityKeys.serviceAccounts(studio.id) });
  });
  return (
    <SettingsPanel title="New service account" intro="For pipelines, render farms and CI: an account that never signs in and works only through its tokens. It holds a studio seat.">
      <form onSubmit={submit} noValidate className="form-row service-account-form">
        <Field label="Name" name="name" value={name} onChange={(e) => setName(e.target.value)} error={form.errorFor('name')} placeholder="Render farm" />
        <SelectField label="Studio role" value={role} onChange={(e) => setRole(e.target.value as StudioRole)} error={form.errorFor('role')}>
          {roles.map((r) => <option key={r} value={r}>{STUDIO_ROLE_NAMES[r]}</option>)}
        </SelectField>
        <SubmitButton busy={form.busy}>Create service account</SubmitButton>
      </form>
      <FormError>{form.formError}</FormError>
      {made && <p className="success" role="status">{made} created. Mint a token for it below.</p>}
    </SettingsPanel>
  );
}

function ServiceAccountItem({ studio, account }: { studio: StudioView; account: ServiceAccountView }) {
  const qc = useQueryClient();
  const [minting, setMinting] = useState(false);
  const [fresh, setFresh] = useState<NewAccessToken | null>(null);
  const [confirming, setConfirming] = useState(false);
  const action = useAction();
  const refresh = () => qc.invalidateQueries({ queryKey: identityKeys.serviceAccounts(studio.id) });
  const deactivate = () => action.run(async () => {
    try {
      await api.serviceAccounts.deactivate(studio.id, account.userId);
    } finally {
      setConfirming(false);
      await refresh();
    }
  });
  const tokens = account.tokens.filter((t) => !t.revokedAt);
  const titleId = `sa-${account.userId}`;
  return (
    <li className="service-account" aria-labelledby={titleId}>
      <div className="service-account__head">
        <div>
          <h3 id={titleId} className="service-account__name">{account.name}</h3>
          <p className="table__sub">
            {account.role ? STUDIO_ROLE_NAMES[account.role] : 'No seat'} · created {date(account.createdAt)} · {account.lastActiveAt ? `last active ${date(account.lastActiveAt)}` : 'never used'}
            {account.status === 'suspended' && <> · <span className="badge badge--warning">Suspended</span></>}
          </p>
        </div>
        {confirming ? (
          <InlineConfirm label={`Confirm deactivating ${account.name}`} question="All its tokens stop at once." confirm="Deactivate"
            busy={action.busy} onConfirm={() => void deactivate()} onCancel={() => setConfirming(false)} />
        ) : (
          <span className="service-account__actions">
            <button type="button" className="button button--small" aria-expanded={minting} onClick={() => setMinting(!minting)}>{minting ? 'Close' : 'New token'}<span className="visually-hidden"> for {account.name}</span></button>
            <button type="button" className="button button--small button--danger" onClick={() => setConfirming(true)}>Deactivate<span className="visually-hidden"> {account.name}</span></button>
          </span>
        )}
      </div>
      {action.error && <p className="notice notice--error" role="alert">{action.error}</p>}
      {minting && (
        <div className="service-account__mint">
          <TokenForm studioIds={[studio.id]} submitLabel="Create token" create={(f) => api.serviceAccounts.createToken(studio.id, account.userId, f)}
            onCreated={(t) => { setFresh(t); setMinting(false); void refresh(); }} />
        </div>
      )}
      {fresh && <OneTimeSecret label={`Token “${fresh.name}” for ${account.name}`} value={fresh.token} onDone={() => setFresh(null)} />}
      {tokens.length === 0 ? <p className="muted service-account__none">No tokens.</p> : (
        <table className="table table--compact">
          <caption className="visually-hidden">Tokens of {account.name}</caption>
          <thead><tr><th scope="col">Token</th><th scope="col">Access</th><th scope="col">Projects</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>{tokens.map((t) => <ServiceTokenRow key={t.id} studioId={studio.id} account={account} token={t} />)}</tbody>
        </table>
      )}
    </li>
  );
}

function ServiceTokenRow({ studioId, account, token }: { studioId: string; account: ServiceAccountView; token: AccessTokenView }) {
  const qc = useQueryClient();
  const action = useAction();
  const revoke = () => action.run(async () => {
    try {
      await api.serviceAccounts.revokeToken(studioId, account.userId, token.id);
    } finally {
      await qc.invalidateQueries({ queryKey: identityKeys.serviceAccounts(studioId) });
    }
  });
  return (
    <>
      <tr>
        <td className="table__strong">{token.name}</td>
        <td>{ACCESS_NAMES[token.access]}</td>
        <td>{token.projects ? `${token.projects.length} ${token.projects.length === 1 ? 'project' : 'projects'}` : <span className="muted">All</span>}</td>
        <td>{token.lastUsedAt ? date(token.lastUsedAt) : <span className="muted">Never</span>}</td>
        <td>{date(token.expiresAt)}</td>
        <td className="table__actions">
          <button type="button" className="button button--small button--danger" disabled={action.busy} onClick={() => void revoke()} aria-label={`Revoke token ${token.name} of ${account.name}`}>Revoke</button>
        </td>
      </tr>
      {action.error && <tr className="table__row-message"><td colSpan={6}><p className="notice notice--error" role="alert">{action.error}</p></td></tr>}
    </>
  );
}
