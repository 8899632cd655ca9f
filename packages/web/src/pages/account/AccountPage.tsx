// The signed-in person's account: where they are signed in (revoke one session, or every other
// one at once) and their password. Everything shown comes from the server (GET /auth/sessions).
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { SessionInfo } from '@backlot/api';
import { api } from '../../app/api.ts';
import { useMe, useSessionChanged } from '../../app/session.ts';
import { useAction } from '../../app/use-action.ts';
import { useForm } from '../../app/use-form.ts';
import { Field, FormError, SubmitButton } from '../../ui/forms.tsx';
import { Loading, LoadError, useTitle } from '../../ui/page.tsx';
import { SettingsLayout, SettingsPanel } from '../../ui/SettingsLayout.tsx';
import { describeDevice, when } from './format.ts';
import { AccessTokens } from './AccessTokens.tsx';
import './account.css';

const SESSIONS = ['account', 'sessions'] as const;

export function AccountPage() {
  const me = useMe().data!;
  const { section = 'sign-in' } = useParams();
  useTitle(section === 'tokens' ? 'Access tokens' : 'Your account');
  const sections = [{ to: '/account', label: 'Sign-in and password' }, { to: '/account/tokens', label: 'Access tokens' }];
  return (
    <SettingsLayout eyebrow={me.email} title="Your account" navLabel="Account" sections={sections}>
      {section === 'tokens' ? <AccessTokens />
        : section === 'sign-in' ? <><Sessions /><ChangePassword /></>
        : <p className="notice notice--error" role="alert">There is no such account page.</p>}
    </SettingsLayout>
  );
}

function Sessions() {
  const sessions = useQuery({ queryKey: SESSIONS, queryFn: async () => (await api.auth.sessions()).sessions });
  const qc = useQueryClient();
  const others = sessions.data?.filter((s) => !s.current) ?? [];
  const all = useAction();
  // No route ends every other session at once, so each is revoked in turn (the server checks each).
  const signOutOthers = () => all.run(async () => {
    try {
      for (const s of others) await api.auth.revokeSession(s.id);
    } finally {
      await qc.invalidateQueries({ queryKey: SESSIONS });
    }
  });
  return (
    <SettingsPanel title="Where you are signed in"
      intro="Each browser and each command-line login is a session. Revoke one you do not recognise; it stops working at once."
      actions={others.length > 0 && (
        <button type="button" className="button" disabled={all.busy} onClick={() => void signOutOthers()}>
          {all.busy ? 'Signing out…' : 'Sign out everywhere else'}
        </button>
      )}>
      {all.error && <p className="notice notice--error" role="alert">{all.error}</p>}
      {sessions.isPending ? <Loading label="Loading your sessions…" /> : sessions.isError ? <LoadError error={sessions.error} retry={() => void sessions.refetch()} /> : (
        <table className="table table--compact">
          <caption className="visually-hidden">Your sessions</caption>
          <thead>
            <tr><th scope="col">Device</th><th scope="col">Signed in</th><th scope="col">Last active</th><th scope="col">Expires</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody>
            {sessions.data.map((s) => <SessionRow key={s.id} session={s} />)}
          </tbody>
        </table>
      )}
    </SettingsPanel>
  );
}

function SessionRow({ session }: { session: SessionInfo }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const sessionChanged = useSessionChanged();
  const action = useAction();
  const device = describeDevice(session);
  const revoke = () => action.run(async () => {
    await api.auth.revokeSession(session.id);
    if (session.current) {
      // This browser's own session: it is signed out now.
      await sessionChanged();
      navigate('/sign-in', { replace: true });
    } else await qc.invalidateQueries({ queryKey: SESSIONS });
  });
  return (
    <>
      <tr className={session.current ? 'session--current' : undefined}>
        <td>
          <span className="session__device">{device}</span>
          {session.current && <> <span className="badge badge--accent">This browser</span></>}
          <span className="table__sub">{session.kind === 'cookie' ? 'Web' : 'Command line or API'}{session.ip ? ` · ${session.ip}` : ''}</span>
        </td>
        <td>{when(session.createdAt)}</td>
        <td>{when(session.lastSeenAt)}</td>
        <td>{when(session.expiresAt)}</td>
        <td className="table__actions">
          <button type="button" className="button button--small" disabled={action.busy} onClick={() => void revoke()}
            aria-label={session.current ? 'Sign out of this browser' : `Revoke session on ${device}, signed in ${when(session.createdAt)}`}>
            {session.current ? 'Sign out' : 'Revoke'}
          </button>
        </td>
      </tr>
      {action.error && (
        <tr className="table__row-message"><td colSpan={5}><p className="notice notice--error" role="alert">{action.error}</p></td></tr>
      )}
    </>
  );
}

function ChangePassword() {
  const qc = useQueryClient();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [done, setDone] = useState<string | null>(null);
  // The server names `password` when the new one is too weak; that is the new-password field here.
  const form = useForm(['currentPassword', 'newPassword', 'again'], { validation_failed: 'newPassword' });
  const submit = form.onSubmit(async () => {
    setDone(null);
    if (!current) return form.setProblem('currentPassword', 'Enter your current password.');
    if (!next) return form.setProblem('newPassword', 'Choose a new password.');
    if (next === current) return form.setProblem('newPassword', 'The new password must differ from the current one.');
    if (again !== next) return form.setProblem('again', 'The two new passwords do not match.');
    const { endedSessions } = await api.auth.changePassword({ currentPassword: current, newPassword: next });
    setCurrent('');
    setNext('');
    setAgain('');
    setDone(endedSessions
      ? `Password changed. ${endedSessions} other ${endedSessions === 1 ? 'session was' : 'sessions were'} signed out.`
      : 'Password changed.');
    await qc.invalidateQueries({ queryKey: SESSIONS });
  });
  return (
    <SettingsPanel title="Change password" intro="Changing it signs you out everywhere else.">
      <form onSubmit={submit} noValidate className="password-form">
        <FormError>{form.formError}</FormError>
        {done && <p className="notice notice--info" role="status">{done}</p>}
        <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" value={current}
          onChange={(e) => setCurrent(e.target.value)} error={form.errorFor('currentPassword')} />
        <Field label="New password" name="newPassword" type="password" autoComplete="new-password" value={next}
          onChange={(e) => setNext(e.target.value)} error={form.errorFor('newPassword')} hint="A long one: a few unrelated words work well." />
        <Field label="New password, again" name="again" type="password" autoComplete="new-password" value={again}
          onChange={(e) => setAgain(e.target.value)} error={form.errorFor('again')} />
        <SubmitButton busy={form.busy}>Change password</SubmitButton>
      </form>
    </SettingsPanel>
  );
}
