// The studio's single sign-on: what to give the identity provider, the OpenID Connect and SAML
// settings, and the policy (require SSO, break-glass accounts, SSO session age), then the group
// mappings. Owners change the settings; admins see them and manage mappings (core's studio
// policy, as the server reported the caller's seat). The server validates every value: an
// issuer it cannot discover, metadata it cannot read, and says so next to the field.
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { authorizeStudio, type StudioActor } from '@backlot/core';
import type { SsoSettings, StudioView } from '@backlot/api';
import { api } from '../../app/api.ts';
import { keys } from '../../app/query.ts';
import { useAction } from '../../app/use-action.ts';
import { useForm } from '../../app/use-form.ts';
import { CopyField } from '../../ui/CopyField.tsx';
import { Field, FormError, SubmitButton } from '../../ui/forms.tsx';
import { Loading, LoadError } from '../../ui/page.tsx';
import { SelectField } from '../../ui/SelectField.tsx';
import { SettingsPanel } from '../../ui/SettingsLayout.tsx';
import { GroupMappings } from './GroupMappings.tsx';
import { identityKeys } from './identity-keys.ts';
import './identity.css';

export function SingleSignOn({ studio, actor }: { studio: StudioView; actor: StudioActor }) {
  const canManage = authorizeStudio(actor, 'studio.sso.manage').allowed;
  const sso = useQuery({ queryKey: identityKeys.sso(studio.id), queryFn: () => api.sso.get(studio.id) });
  if (sso.isPending) return <Loading label="Loading the single sign-on settings…" />;
  if (sso.isError) return <LoadError error={sso.error} retry={() => void sso.refetch()} />;
  return (
    <>
      <ServiceProviderInfo sp={sso.data.serviceProvider} />
      {canManage ? (
        <>
          <OidcSettings studioId={studio.id} current={sso.data.oidc} />
          <SamlSettings studioId={studio.id} current={sso.data.saml} />
          <SsoPolicy studioId={studio.id} settings={sso.data} />
        </>
      ) : <SsoSummary settings={sso.data} />}
      <GroupMappings studio={studio} actor={actor} mappings={sso.data.mappings} />
    </>
  );
}

function ServiceProviderInfo({ sp }: { sp: SsoSettings['serviceProvider'] }) {
  const rows: [string, string, string][] = [
    ['OIDC redirect URI', sp.oidcRedirectUri, 'The sign-in redirect (callback) URL of the OpenID Connect app.'],
    ['SAML entity id', sp.entityId, 'Also called the Audience URI or Identifier.'],
    ['SAML ACS URL', sp.acsUrl, 'Assertion Consumer Service, HTTP-POST binding.'],
    ['SAML SP metadata', sp.metadataUrl, 'Some identity providers read everything from this address.'],
  ];
  return (
    <SettingsPanel title="What to give your identity provider" intro="Create an application at your IdP (Okta, Entra ID, Google Workspace, Keycloak, Authentik) with these values.">
      <dl className="sp-values">
        {rows.map(([label, value, hint]) => (
          <div key={label} className="sp-values__row">
            <dt>{label}<span className="table__sub">{hint}</span></dt>
            <dd><CopyField label={label} value={value} /></dd>
          </div>
        ))}
      </dl>
    </SettingsPanel>
  );
}

function useSsoSaved(studioId: string) {
  const qc = useQueryClient();
  return (answer: SsoSettings) => qc.setQueryData(identityKeys.sso(studioId), answer);
}

function OidcSettings({ studioId, current }: { studioId: string; current: SsoSettings['oidc'] }) {
  const saved = useSsoSaved(studioId);
  const qc = useQueryClient();
  const [issuer, setIssuer] = useState(current?.issuer ?? '');
  const [clientId, setClientId] = useState(current?.clientId ?? '');
  const [secret, setSecret] = useState('');
  const [groupsClaim, setGroupsClaim] = useState(current?.groupsClaim ?? 'groups');
  const [done, setDone] = useState(false);
  // A failed discovery names no field, but it is always about the issuer.
  const form = useForm(['issuer', 'clientId', 'clientSecret', 'groupsClaim'], { bad_request: 'issuer' });
  const remove = useAction();
  const submit = form.onSubmit(async () => {
    setDone(false);
    if (!issuer.trim()) return form.setProblem('issuer', 'Enter the issuer URL of your identity provider.');
    if (!clientId.trim()) return form.setProblem('clientId', 'Enter the client id the identity provider gave you.');
    if (!current?.hasClientSecret && !secret) return form.setProblem('clientSecret', 'Enter the client secret.');
    saved(await api.sso.setOidc(studioId, { issuer: issuer.trim(), clientId: clientId.trim(), groupsClaim: groupsClaim.trim() || 'groups', ...(secret ? { clientSecret: secret } : {}) }));
    setSecret('');
    setDone(true);
  });
  const turnOff = () => remove.run(async () => {
    await api.sso.removeOidc(studioId);
    await qc.invalidateQueries({ queryKey: identityKeys.sso(studioId) });
  });
  return (
    <SettingsPanel title="OpenID Connect" intro="The issuer is checked when you save: Backlot reads its discovery document at once."
      actions={current && <span className="badge badge--ok">On</span>}>
      <form onSubmit={submit} noValidate className="sso-form">
        <Field label="Issuer URL" name="issuer" type="url" value={issuer} onChange={(e) => setIssuer(e.target.value)} error={form.errorFor('issuer')}
          placeholder="https://studio.okta.com" hint="HTTPS, as your IdP names it (its /.well-known/openid-configuration lives under it)." />
        <Field label="Client id" name="clientId" value={clientId} onChange={(e) => setClientId(e.target.value)} error={form.errorFor('clientId')} autoComplete="off" />
        <Field label="Client secret" name="clientSecret" type="password" value={secret} onChange={(e) => setSecret(e.target.value)} error={form.errorFor('clientSecret')}
          autoComplete="new-password" placeholder={current?.hasClientSecret ? '•••••••• (stored)' : ''}
          hint={current?.hasClientSecret ? 'Stored sealed and never shown. Leave empty to keep it.' : 'Stored sealed and never shown again.'} />
        <Field label="Groups claim" name="groupsClaim" value={groupsClaim} onChange={(e) => setGroupsClaim(e.target.value)} error={form.errorFor('groupsClaim')}
          hint="The ID token claim that lists the person's groups." />
        <FormError>{form.formError}</FormError>
        <div className="form-actions">
          <SubmitButton busy={form.busy}>{current ? 'Save OpenID Connect' : 'Turn on OpenID Connect'}</SubmitButton>
          {current && <button type="button" className="button button--danger" disabled={remove.busy} onClick={() => void turnOff()}>Turn off</button>}
          {done && <span className="success" role="status">Saved: the issuer answered.</span>}
        </div>
        {remove.error && <p className="notice notice--error" role="alert">{remove.error}</p>}
      </form>
    </SettingsPanel>
  );
}

function SamlSettings({ studioId, current }: { studioId: string; current: SsoSettings['saml'] }) {
  const saved = useSsoSaved(studioId);
  const qc = useQueryClient();
  const [mode, setMode] = useState<'url' | 'metadata' | 'manual'>('url');
  const [metadataUrl, setMetadataUrl] = useState('');
  const [xml, setXml] = useState('');
  const [entryPoint, setEntryPoint] = useState(current?.entryPoint ?? '');
  const [idpIssuer, setIdpIssuer] = useState(current?.idpIssuer ?? '');
  const [cert, setCert] = useState('');
  const [groupsAttribute, setGroupsAttribute] = useState(current?.groupsAttribute ?? 'groups');
  const [done, setDone] = useState(false);
  const form = useForm(['metadataUrl', 'metadataXml', 'entryPoint', 'idpIssuer', 'certificates', 'groupsAttribute'], { validation_failed: mode === 'url' ? 'metadataUrl' : mode === 'metadata' ? 'metadataXml' : 'certificates' });
  const remove = useAction();
  const submit = form.onSubmit(async () => {
    setDone(false);
    const groups = groupsAttribute.trim() ? { groupsAttribute: groupsAttribute.trim() } : {};
    if (mode === 'url') {
      if (!metadataUrl.trim()) return form.setProblem('metadataUrl', 'Enter the address where your identity provider publishes its metadata.');
      saved(await api.sso.setSaml(studioId, { metadataUrl: metadataUrl.trim(), ...groups }));
    } else if (mode === 'metadata') {
      if (!xml.trim()) return form.setProblem('metadataXml', 'Paste the metadata XML your identity provider offers for this application.');
      saved(await api.sso.setSaml(studioId, { metadataXml: xml.trim(), ...groups }));
    } else {
      if (!entryPoint.trim()) return form.setProblem('entryPoint', 'Enter the IdP\'s single sign-on URL.');
      if (!idpIssuer.trim()) return form.setProblem('idpIssuer', 'Enter the IdP\'s entity id (issuer).');
      if (!cert.trim()) return form.setProblem('certificates', 'Paste the IdP\'s signing certificate.');
      saved(await api.sso.setSaml(studioId, { entryPoint: entryPoint.trim(), idpIssuer: idpIssuer.trim(), certificates: [cert.trim()], ...groups }));
    }
    setXml('');
    setCert('');
    setDone(true);
  });
  const turnOff = () => remove.run(async () => {
    await api.sso.removeSaml(studioId);
    await qc.invalidateQueries({ queryKey: identityKeys.sso(studioId) });
  });
  return (
    <SettingsPanel title="SAML 2.0" actions={current && <span className="badge badge--ok">On</span>}
      intro={current ? `Signing in at ${current.entryPoint}, issuer ${current.idpIssuer}, ${current.certificateCount} signing certificate${current.certificateCount === 1 ? '' : 's'}.`
        : 'Assertions must be signed by the IdP. Backlot sends its requests by HTTP-Redirect and receives answers by HTTP-POST.'}>
      <form onSubmit={submit} noValidate className="sso-form">
        <SelectField label="How to configure" value={mode} onChange={(e) => setMode(e.target.value as 'url' | 'metadata' | 'manual')}>
          <option value="url">Give the IdP's metadata URL</option>
          <option value="metadata">Paste the IdP's metadata XML</option>
          <option value="manual">Enter the IdP's details by hand</option>
        </SelectField>
        {mode === 'url' ? (
          <Field label="IdP metadata URL" name="metadataUrl" type="url" value={metadataUrl} onChange={(e) => setMetadataUrl(e.target.value)} error={form.errorFor('metadataUrl')}
            hint="Backlot reads it once now (https). Okta: “Metadata URL” on the Sign On tab; Entra ID: “App Federation Metadata Url”." placeholder="https://…/metadata" />
        ) : mode === 'metadata' ? (
          <TextArea label="IdP metadata XML" value={xml} onChange={setXml} error={form.errorFor('metadataXml')}
            hint="Download it from your IdP (Okta: “Identity Provider metadata”; Entra ID: “Federation Metadata XML”) and paste it here." placeholder="<EntityDescriptor …>" />
        ) : (
          <>
            <Field label="IdP single sign-on URL" name="entryPoint" type="url" value={entryPoint} onChange={(e) => setEntryPoint(e.target.value)} error={form.errorFor('entryPoint')} />
            <Field label="IdP entity id (issuer)" name="idpIssuer" value={idpIssuer} onChange={(e) => setIdpIssuer(e.target.value)} error={form.errorFor('idpIssuer')} />
            <TextArea label="IdP signing certificate" value={cert} onChange={setCert} error={form.errorFor('certificates')} hint="PEM or base64 (“MII…”)." placeholder="-----BEGIN CERTIFICATE-----" />
          </>
        )}
        <Field label="Groups attribute" name="groupsAttribute" value={groupsAttribute} onChange={(e) => setGroupsAttribute(e.target.value)} error={form.errorFor('groupsAttribute')}
          hint="The multi-valued attribute that lists the person's groups." />
        <FormError>{form.formError}</FormError>
        <div className="form-actions">
          <SubmitButton busy={form.busy}>{current ? 'Save SAML' : 'Turn on SAML'}</SubmitButton>
          {current && <button type="button" className="button button--danger" disabled={remove.busy} onClick={() => void turnOff()}>Turn off</button>}
          {done && <span className="success" role="status">Saved.</span>}
        </div>
        {remove.error && <p className="notice notice--error" role="alert">{remove.error}</p>}
      </form>
    </SettingsPanel>
  );
}

function TextArea({ label, value, onChange, error, hint, placeholder }: { label: string; value: string; onChange(v: string): void; error: string | null; hint?: string; placeholder?: string }) {
  const id = `sso-${label.replace(/\W+/g, '-').toLowerCase()}`;
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field--invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <textarea id={id} className="sso-form__xml" rows={5} value={value} onChange={(e) => onChange(e.target.value)} placeholder={placeholder}
        spellCheck={false} aria-invalid={error ? true : undefined} aria-describedby={describedBy} />
      {hint && <p className="field__hint" id={`${id}-hint`}>{hint}</p>}
      {error && <p className="field__error" id={`${id}-error`}>{error}</p>}
    </div>
  );
}

const MAX_BREAK_GLASS = 5;

function SsoPolicy({ studioId, settings }: { studioId: string; settings: SsoSettings }) {
  const saved = useSsoSaved(studioId);
  const members = useQuery({ queryKey: keys.studioMembers(studioId), queryFn: async () => (await api.studioMembers.list(studioId)).members });
  const [enforced, setEnforced] = useState(settings.enforced);
  const [breakGlass, setBreakGlass] = useState<string[]>(settings.breakGlass);
  const [maxMinutes, setMaxMinutes] = useState(settings.sessionMaxMinutes === null ? '' : String(settings.sessionMaxMinutes));
  const [done, setDone] = useState(false);
  const form = useForm(['enforced', 'breakGlass', 'sessionMaxMinutes']);
  const submit = form.onSubmit(async () => {
    setDone(false);
    const minutes = maxMinutes.trim() === '' ? null : Number(maxMinutes);
    if (minutes !== null && (!Number.isInteger(minutes) || minutes < 1)) return form.setProblem('sessionMaxMinutes', 'Enter a whole number of minutes, or leave it empty.');
    saved(await api.sso.updatePolicy(studioId, { enforced, breakGlass, sessionMaxMinutes: minutes }));
    setDone(true);
  });
  const candidates = (members.data ?? []).filter((m) => m.status === 'active' || breakGlass.includes(m.userId));
  const toggle = (userId: string, on: boolean) => { setDone(false); setBreakGlass(on ? [...breakGlass, userId] : breakGlass.filter((u) => u !== userId)); };
  const noProvider = !settings.oidc && !settings.saml;
  return (
    <SettingsPanel title="Sign-in policy" intro="Applies to accounts your identity provider manages (those that signed in through it at least once).">
      <form onSubmit={submit} noValidate className="sso-policy">
        <div className="check-field">
          <input type="checkbox" id="sso-enforced" checked={enforced} onChange={(e) => { setEnforced(e.target.checked); setDone(false); }} aria-describedby="sso-enforced-hint" />
          <div>
            <label htmlFor="sso-enforced">Require SSO</label>
            <p className="field__hint" id="sso-enforced-hint">
              Password sign-in is refused for these accounts, except the break-glass accounts below.
              {noProvider && ' Set up OpenID Connect or SAML first, or nobody it manages can sign in.'}
            </p>
          </div>
        </div>
        <fieldset className="break-glass" aria-describedby="break-glass-hint">
          <legend>Break-glass accounts <span className="muted">({breakGlass.length} of {MAX_BREAK_GLASS})</span></legend>
          <p className="field__hint" id="break-glass-hint">Up to {MAX_BREAK_GLASS} members who may still sign in with a password when the identity provider is down. Each such sign-in is recorded in the audit log.</p>
          {members.isPending ? <Loading label="Loading members…" /> : (
            <ul className="break-glass__list">
              {candidates.map((m) => {
                const on = breakGlass.includes(m.userId);
                return (
                  <li key={m.userId} className="check-field">
                    <input type="checkbox" id={`bg-${m.userId}`} checked={on} disabled={!on && breakGlass.length >= MAX_BREAK_GLASS} onChange={(e) => toggle(m.userId, e.target.checked)} />
                    <label htmlFor={`bg-${m.userId}`}>{m.name} <span className="muted">{m.email}</span></label>
                  </li>
                );
              })}
            </ul>
          )}
          {form.errorFor('breakGlass') && <p className="field__error" role="alert">{form.errorFor('breakGlass')}</p>}
        </fieldset>
        <Field label="Longest SSO session (minutes)" name="sessionMaxMinutes" type="number" min={5} inputMode="numeric" value={maxMinutes} className="sso-policy__age"
          onChange={(e) => { setMaxMinutes(e.target.value); setDone(false); }} error={form.errorFor('sessionMaxMinutes')}
          hint={`${maxMinutes.trim() ? describeMinutes(Number(maxMinutes)) : 'No limit beyond the usual session expiry.'} Without SCIM, this bounds how long someone deactivated at the IdP keeps working. 5 minutes to 90 days.`} />
        <FormError>{form.formError}</FormError>
        <div className="form-actions">
          <SubmitButton busy={form.busy}>Save policy</SubmitButton>
          {done && <span className="success" role="status">Saved.</span>}
        </div>
      </form>
    </SettingsPanel>
  );
}

function describeMinutes(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '';
  if (n < 120) return `${n} minutes.`;
  if (n < 48 * 60) return `About ${Math.round(n / 60)} hours.`;
  return `About ${Math.round(n / 1440)} days.`;
}

/** For admins: the settings as they are (only owners change them). */
function SsoSummary({ settings }: { settings: SsoSettings }) {
  return (
    <SettingsPanel title="Identity provider">
      <ul className="sso-summary">
        <li>OpenID Connect: {settings.oidc ? `on (${settings.oidc.issuer})` : 'off'}</li>
        <li>SAML 2.0: {settings.saml ? `on (${settings.saml.entryPoint})` : 'off'}</li>
        <li>Require SSO: {settings.enforced ? 'yes' : 'no'}; {settings.breakGlass.length} break-glass account{settings.breakGlass.length === 1 ? '' : 's'}</li>
        <li>Longest SSO session: {settings.sessionMaxMinutes === null ? 'no limit' : describeMinutes(settings.sessionMaxMinutes)}</li>
      </ul>
      <p className="muted">Only studio owners change these settings.</p>
    </SettingsPanel>
  );
}
