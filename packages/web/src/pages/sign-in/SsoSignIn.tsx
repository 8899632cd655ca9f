// "Sign in with your studio's SSO": the server says which studios offer single sign-on to the
// address's domain (GET /auth/sso/discover); the browser then goes to the server's start
// address, a real navigation, since the IdP's pages and redirects are not API calls. After the
// IdP, the server sets the session cookie and sends the browser back to `next`.
import { useState } from 'react';
import type { SsoDiscovery } from '@backlot/api';
import { api } from '../../app/api.ts';
import { useForm } from '../../app/use-form.ts';
import { Field, FormError, SubmitButton } from '../../ui/forms.tsx';
import './sign-in.css';

type Offer = SsoDiscovery['studios'][number];

interface SsoSignInProps {
  email: string;
  onEmail(v: string): void;
  next: string;
  /** Closed, it is one button (the page keeps a single email field until SSO is asked for). */
  open: boolean;
  onOpen(): void;
}

export function SsoSignIn({ email, onEmail, next, open, onOpen }: SsoSignInProps) {
  const [choices, setChoices] = useState<Offer[] | null>(null);
  const [none, setNone] = useState<string | null>(null);
  const form = useForm(['email']);
  const go = (studioId: string) => window.location.assign(api.sso.startUrl(studioId, { returnTo: next }));
  const submit = form.onSubmit(async () => {
    setChoices(null);
    setNone(null);
    const address = email.trim();
    if (!address) return form.setProblem('email', 'Enter your work email address.');
    const { studios } = await api.sso.discover(address);
    if (studios.length === 1) return go(studios[0].studioId);
    if (studios.length === 0) return setNone(address.split('@')[1] ?? address);
    setChoices(studios);
  });
  if (!open) {
    return (
      <div className="sso">
        <button type="button" className="button sso__open" onClick={onOpen}>Use your studio's single sign-on (SSO)</button>
      </div>
    );
  }
  return (
    <section className="sso" aria-labelledby="sso-title">
      <h2 id="sso-title" className="sso__title">Sign in with your studio's SSO</h2>
      <form onSubmit={submit} noValidate>
        <Field label="Work email" name="sso-email" type="email" autoComplete="username" autoFocus value={email} onChange={(e) => { onEmail(e.target.value); setNone(null); setChoices(null); }}
          error={form.errorFor('email')} hint="Your studio's identity provider (Okta, Entra ID, Google, …) will ask you to sign in." />
        <FormError>{form.formError}</FormError>
        {none && (
          <p className="notice notice--warning" role="status">
            No studio on this server offers single sign-on for addresses at {none}. Sign in with your password above, or ask your studio owner.
          </p>
        )}
        {choices ? (
          <div className="sso__choices" role="group" aria-label="Choose your studio">
            <p className="sso__pick">Several studios offer SSO for this address. Which one?</p>
            {choices.map((s) => (
              <button key={s.studioId} type="button" className="button sso__studio" onClick={() => go(s.studioId)}>
                Continue to {s.studioName}
              </button>
            ))}
          </div>
        ) : <SubmitButton busy={form.busy}>Continue with SSO</SubmitButton>}
      </form>
    </section>
  );
}
