// Sign in with email and password; the server sets the HttpOnly session cookie and the CSRF
// cookie. Afterwards the visitor goes back where they were headed. Studios with an identity
// provider sign their people in through it (SsoSignIn); a password sign-in the server refuses
// for such an account says so and points there.
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '@backlot/api';
import { api } from '../../app/api.ts';
import { safeNext, useSessionChanged } from '../../app/session.ts';
import { useForm } from '../../app/use-form.ts';
import { Field, FormError, SubmitButton } from '../../ui/forms.tsx';
import { AuthCard } from '../../ui/page.tsx';
import { SsoSignIn } from './SsoSignIn.tsx';

export function SignInPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const sessionChanged = useSessionChanged();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [ssoEmail, setSsoEmail] = useState('');
  const [ssoRequired, setSsoRequired] = useState(false);
  const [ssoOpen, setSsoOpen] = useState(false);
  const form = useForm(['email', 'password'], { unauthenticated: 'password' });
  const next = safeNext(params.get('next'));
  // The server sends a refused single sign-on back here with its reason.
  const ssoError = params.get('sso_error');

  const submit = form.onSubmit(async () => {
    if (!email.trim()) return form.setProblem('email', 'Enter your email address.');
    if (!password) return form.setProblem('password', 'Enter your password.');
    setSsoRequired(false);
    try {
      await api.auth.login({ email: email.trim(), password, session: 'cookie' });
    } catch (err) {
      // The account belongs to a studio's identity provider: offer the SSO form, filled in.
      if (err instanceof ApiError && err.details.reason === 'sso_required') {
        setSsoRequired(true);
        setSsoEmail(email.trim());
        setSsoOpen(true);
        setPassword('');
        return;
      }
      throw err;
    }
    await sessionChanged();
    navigate(next, { replace: true });
  });

  return (
    <AuthCard title="Sign in">
      {ssoError && (
        <p className="notice notice--error" role="alert">Single sign-on did not complete: {ssoError}</p>
      )}
      <form onSubmit={submit} noValidate>
        <FormError>{form.formError}</FormError>
        <Field label="Email" name="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} error={form.errorFor('email')} required />
        <Field label="Password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={form.errorFor('password')} required />
        <SubmitButton busy={form.busy}>Sign in</SubmitButton>
      </form>
      {ssoRequired && (
        <p className="notice notice--warning" role="alert">
          Your studio signs you in through its identity provider, so password sign-in is turned off for this account. Use “Continue with SSO” below.
        </p>
      )}
      <SsoSignIn email={ssoEmail} onEmail={setSsoEmail} next={next} open={ssoOpen}
        onOpen={() => { setSsoEmail((v) => v || email.trim()); setSsoOpen(true); }} />
      <p className="auth__aside">New server? <Link to="/setup">Set it up</Link> with the token it printed.</p>
    </AuthCard>
  );
}
