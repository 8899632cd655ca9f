// Accepting an invitation from its link (`/invite#token=...`; the fragment never reaches server
// logs). A new person creates their account here; someone with an account signs in and joins;
// someone already signed in as the invited address joins with one click.
import { useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import type { InvitationLookup } from '@backlot/api';
import { api } from '../../app/api.ts';
import { keys } from '../../app/query.ts';
import { tokenFromHash, useMe, useSessionChanged } from '../../app/session.ts';
import { rememberStudio } from '../../app/studios.ts';
import { useForm } from '../../app/use-form.ts';
import { Field, FormError, SubmitButton } from '../../ui/forms.tsx';
import { AuthCard, Loading, LoadError } from '../../ui/page.tsx';

const ROLE_NAMES = { owner: 'an owner', admin: 'an admin', member: 'a member' } as const;

export function InvitePage() {
  const location = useLocation();
  const [token] = useState(() => tokenFromHash(location.hash));
  const me = useMe();
  const lookup = useQuery({ queryKey: keys.invitation(token), queryFn: () => api.invitations.lookup(token), enabled: !!token, staleTime: Infinity });

  if (!token) return <AuthCard title="Invitation"><p className="notice notice--error" role="alert">This link has no invitation token. Open the link from your invitation email again, or ask for a new invitation.</p></AuthCard>;
  if (lookup.isPending || me.isPending) return <AuthCard title="Invitation"><Loading /></AuthCard>;
  if (lookup.isError) return <AuthCard title="Invitation"><LoadError error={lookup.error} /><p className="auth__aside">Invitations last 7 days; ask whoever invited you to send a new one.</p></AuthCard>;
  const inv = lookup.data;
  return (
    <AuthCard title={`Join ${inv.studioName}`}>
      <p className="lead">
        You are invited to <strong>{inv.studioName}</strong> as {ROLE_NAMES[inv.studioRole]}, with <strong>{inv.email}</strong>.
        {' '}The invitation is valid until {new Date(inv.expiresAt).toLocaleDateString(undefined, { dateStyle: 'long' })}.
      </p>
      {me.data ? <SignedInJoin token={token} inv={inv} myEmail={me.data.email} /> : inv.hasAccount ? <SignInAndJoin token={token} inv={inv} /> : <CreateAccount token={token} inv={inv} />}
    </AuthCard>
  );
}

function useJoined() {
  const navigate = useNavigate();
  const sessionChanged = useSessionChanged();
  return async (studioId: string) => {
    rememberStudio(studioId);
    await sessionChanged();
    navigate(`/studios/${studioId}`, { replace: true });
  };
}

function SignedInJoin({ token, inv, myEmail }: { token: string; inv: InvitationLookup; myEmail: string }) {
  const joined = useJoined();
  const sessionChanged = useSessionChanged();
  const form = useForm([]);
  if (myEmail.toLowerCase() !== inv.email.toLowerCase()) {
    return (
      <div className="stack">
        <p>You are signed in as <strong>{myEmail}</strong>, but this invitation is for <strong>{inv.email}</strong>.</p>
        <button type="button" className="button" onClick={() => void api.auth.logout().finally(() => void sessionChanged())}>Sign out to continue</button>
      </div>
    );
  }
  return (
    <form onSubmit={form.onSubmit(async () => joined((await api.invitations.accept({ token })).studioId))}>
      <FormError>{form.formError}</FormError>
      <SubmitButton busy={form.busy}>Join {inv.studioName}</SubmitButton>
    </form>
  );
}

function SignInAndJoin({ token, inv }: { token: string; inv: InvitationLookup }) {
  const joined = useJoined();
  const [password, setPassword] = useState('');
  const form = useForm(['password'], { unauthenticated: 'password' });
  const submit = form.onSubmit(async () => {
    if (!password) return form.setProblem('password', 'Enter your password.');
    await api.auth.login({ email: inv.email, password, session: 'cookie' });
    await joined((await api.invitations.accept({ token })).studioId);
  });
  return (
    <form onSubmit={submit} noValidate>
      <p>You already have an account. Sign in to join.</p>
      <FormError>{form.formError}</FormError>
      <Field label="Email" name="email" type="email" value={inv.email} readOnly autoComplete="username" />
      <Field label="Password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={form.errorFor('password')} required />
      <SubmitButton busy={form.busy}>Sign in and join</SubmitButton>
    </form>
  );
}

function CreateAccount({ token, inv }: { token: string; inv: InvitationLookup }) {
  const joined = useJoined();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const form = useForm(['name', 'password']);
  const submit = form.onSubmit(async () => {
    if (!name.trim()) return form.setProblem('name', 'Enter your name as colleagues should see it.');
    await joined((await api.invitations.accept({ token, name: name.trim(), password, session: 'cookie' })).studioId);
  });
  return (
    <form onSubmit={submit} noValidate>
      <p>Create your account to join.</p>
      <FormError>{form.formError}</FormError>
      <Field label="Email" name="email" type="email" value={inv.email} readOnly autoComplete="username" />
      <Field label="Your name" name="name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} error={form.errorFor('name')} required />
      <Field label="Password" name="password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)}
        error={form.errorFor('password')} hint="A long passphrase is best; the server says if it is too short." required />
      <SubmitButton busy={form.busy}>Create account and join</SubmitButton>
      <p className="auth__aside">Not you? <Link to="/sign-in">Sign in with another account</Link></p>
    </form>
  );
}
