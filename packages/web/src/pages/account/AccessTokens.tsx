// Personal access tokens: for scripts, pipelines and the CLI's --token. Each acts as you,
// narrowed by its access level and project limit; the secret is shown once, at creation.
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { AccessTokenView, NewAccessToken } from '@backlot/api';
import { api } from '../../app/api.ts';
import { useStudios } from '../../app/studios.ts';
import { useAction } from '../../app/use-action.ts';
import { Loading, LoadError } from '../../ui/page.tsx';
import { OneTimeSecret } from '../../ui/OneTimeSecret.tsx';
import { SettingsPanel } from '../../ui/SettingsLayout.tsx';
import { ACCESS_NAMES, TokenForm, useStudioProjects } from '../../ui/TokenForm.tsx';
import { when } from './format.ts';

const TOKENS = ['account', 'tokens'] as const;

export function AccessTokens() {
  const qc = useQueryClient();
  const studios = useStudios();
  const [fresh, setFresh] = useState<NewAccessToken | null>(null);
  const created = async (t: NewAccessToken) => {
    setFresh(t);
    await qc.invalidateQueries({ queryKey: TOKENS });
  };
  return (
    <>
      <SettingsPanel title="New access token"
        intro={<>For scripts, render farms and <code>backlot login --token</code>. A token acts as you, narrowed by its access level; it cannot change your password or make more tokens.</>}>
        <TokenForm studioIds={studios.data?.map((s) => s.id) ?? []} submitLabel="Create token" create={(f) => api.tokens.create(f)} onCreated={(t) => void created(t)} />
        {fresh && <OneTimeSecret label={`Token “${fresh.name}”`} value={fresh.token} onDone={() => setFresh(null)} />}
      </SettingsPanel>
      <TokenList />
    </>
  );
}

function TokenList() {
  const tokens = useQuery({ queryKey: TOKENS, queryFn: async () => (await api.tokens.list()).tokens });
  const studios = useStudios();
  const live = tokens.data?.filter((t) => !t.revokedAt) ?? [];
  return (
    <SettingsPanel title="Your access tokens" intro="Revoke a token you no longer use or that may have leaked: it stops on its next request.">
      {tokens.isPending ? <Loading label="Loading your tokens…" /> : tokens.isError ? <LoadError error={tokens.error} retry={() => void tokens.refetch()} />
        : live.length === 0 ? <p className="muted">You have no access tokens.</p> : (
          <table className="table table--compact">
            <caption className="visually-hidden">Your access tokens</caption>
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Access</th><th scope="col">Projects</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
            </thead>
            <tbody>{live.map((t) => <TokenRow key={t.id} token={t} studioIds={studios.data?.map((s) => s.id) ?? []} />)}</tbody>
          </table>
        )}
    </SettingsPanel>
  );
}

function TokenRow({ token, studioIds }: { token: AccessTokenView; studioIds: string[] }) {
  const qc = useQueryClient();
  const action = useAction();
  const revoke = () => action.run(async () => {
    try {
      await api.tokens.revoke(token.id);
    } finally {
      await qc.invalidateQueries({ queryKey: TOKENS });
    }
  });
  const expired = new Date(token.expiresAt).getTime() <= Date.now();
  return (
    <>
      <tr>
        <td><span className="table__strong">{token.name}</span>{token.current && <> <span className="badge badge--accent">This session</span></>}</td>
        <td>{ACCESS_NAMES[token.access]}</td>
        <td><ProjectNames ids={token.projects} studioIds={studioIds} /></td>
        <td>{when(token.createdAt)}</td>
        <td>{token.lastUsedAt ? when(token.lastUsedAt) : <span className="muted">Never</span>}</td>
        <td>{expired ? <span className="badge badge--warning">Expired</span> : when(token.expiresAt)}</td>
        <td className="table__actions">
          <button type="button" className="button button--small button--danger" disabled={action.busy} onClick={() => void revoke()} aria-label={`Revoke token ${token.name}`}>Revoke</button>
        </td>
      </tr>
      {action.error && <tr className="table__row-message"><td colSpan={7}><p className="notice notice--error" role="alert">{action.error}</p></td></tr>}
    </>
  );
}

/** The names of a token's projects, from the caller's project lists. */
function ProjectNames({ ids, studioIds }: { ids: string[] | null; studioIds: string[] }) {
  const known = new Map(useStudioProjects(studioIds).map((p) => [p.id, p.name]));
  if (!ids) return <span className="muted">All</span>;
  return <>{ids.map((id) => known.get(id) ?? 'a project you left').join(', ')}</>;
}
