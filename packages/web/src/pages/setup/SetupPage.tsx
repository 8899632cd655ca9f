// First run: the one-time setup token (printed by `backlot serve`, or in the link it prints)
// and the first account, which becomes the instance administrator and is signed in at once.
import { useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { api } from '../../app/api.ts';
import { tokenFromHash, useSessionChanged } from '../../app/session.ts';
import { useForm } from '../../app/use-form.ts';
import { Field, FormError, SubmitButton } from '../../ui/forms.tsx';
import { AuthCard } from '../../ui/page.tsx';

export function SetupPage() {
  const location = useLocation();
  const navigate = useNavigate();
  const sessionChanged = useSessionChanged();
  const [token, setToken] = useState(() => tokenFromHash(location.hash));
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  // A wrong token is refused as forbidden; a server already set up answers gone.
  const form = useForm(['token', 'name', 'email', 'password'], { forbidden: 'token' });

  const submit = form.onSubmit(async () => {
    if (!token.trim()) return form.setProblem('token', 'Paste the setup token that `backlot serve` printed.');
    await api.auth.setup({ token: token.trim(), name: name.trim(), email: email.trim(), password, session: 'cookie' });
    await sessionChanged();
    navigate('/', { replace: true });
  });

  return (
    <AuthCard title="Set up this server">
      <p className="lead">Create the first account. It administers this Backlot server; you can invite everyone else afterwards.</p>
      <form onSubmit={submit} noValidate>
        <FormError>{form.formError}</FormError>
        <Field label="Setup token" name="token" autoComplete="off" spellCheck={false} value={token} onChange={(e) => setToken(e.target.value)}
          error={form.errorFor('token')} hint="Printed once by backlot serve when the server has no accounts yet." required />
        <Field label="Your name" name="name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} error={form.errorFor('name')} required />
        <Field label="Email" name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={form.errorFor('email')} required />
        <Field label="Password" name="password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)}
          error={form.errorFor('password')} hint="A long passphrase is best; the server says if it is too short." required />
        <SubmitButton busy={form.busy}>Create account</SubmitButton>
      </form>
      <p className="auth__aside">Already set up? <Link to="/sign-in">Sign in</Link></p>
    </AuthCard>
  );
}
