// The SSO sign-in flows. A browser (or the browser the CLI opened) starts at
// /auth/sso/:studioId/start, which records the attempt (state hashed, nonce, PKCE verifier) and
// binds it to that browser with a cookie, then redirects to the IdP. The IdP answers at the OIDC
// callback or the studio's SAML ACS; once the answer is verified and the account provisioned, the
// browser is sent to /auth/sso/complete, which checks the binding cookie (a sign-in begun in one
// browser cannot be finished in another: login CSRF), makes or updates the account, and ends in
// the session cookie, or, for the
// CLI, in a redirect to its loopback address with a one-time code the CLI redeems with its
// verifier for a bearer session.
import { createHash } from 'node:crypto';
import { BacklotError, normalizeEmail } from '@backlot/core';
import { addMs } from '../../clock.js';
import { inTransaction, nowIso, type Ctx, type Trx } from '../../context.js';
import { appendAudit } from '../../audit/log.js';
import { issueSession, type IssuedSession } from '../sessions.js';
import { hashSecret, newSecret } from '../tokens.js';
import type { SsoStatesTable, StudioSsoTable } from '../../db/schema.js';
import { discoverIssuer, oidcAuthorizationUrl, oidcCallback } from './oidc.js';
import { samlAuthorizationUrl, samlValidate } from './saml.js';
import { signInFromIdp, type IdpPerson } from './provision.js';
import { loadSso } from './settings.js';
import { oidcRedirectUri } from './urls.js';
import { unseal } from './secret-box.js';

/** How long a sign-in may take at the IdP. */
const STATE_TTL_MS = 10 * 60_000;
/** How long the CLI has to redeem its code. */
const HANDOFF_TTL_MS = 2 * 60_000;

export type Protocol = 'oidc' | 'saml';

export interface StartInput {
  protocol?: Protocol;
  /** A same-site path to land on after a web sign-in. */
  returnTo?: string;
  /** The CLI's loopback address and the S256 challenge of its verifier. */
  cliRedirect?: string;
  cliChallenge?: string;
}

/** Only paths on this server: an open redirect would hand sessions' landing pages to anyone. */
function safeReturnTo(raw: string | undefined): string {
  if (!raw) return '/';
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\') || /[\u0000-\u001f]/.test(raw))
    throw new BacklotError('validation_failed', 'returnTo must be a path on this server', { field: 'returnTo' });
  return raw;
}

/** The CLI listens on the loopback interface only (RFC 8252). */
function loopbackRedirect(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new BacklotError('validation_failed', 'cliRedirect is not a URL', { field: 'cliRedirect' });
  }
  if (u.protocol !== 'http:' || !['127.0.0.1', '[::1]', 'localhost'].includes(u.hostname) || !u.port || u.username || u.hash)
    throw new BacklotError('validation_failed', 'cliRedirect must be http://127.0.0.1:PORT/...', { field: 'cliRedirect' });
  return u.toString();
}

async function configuredSso(ctx: Ctx, studioId: string): Promise<StudioSsoTable> {
  const studio = await ctx.db.selectFrom('studios').select('id').where('id', '=', studioId).where('deleted_at', 'is', null).executeTakeFirst();
  const sso = studio ? await loadSso(ctx.db, studioId) : undefined;
  if (!sso || (!sso.oidc_issuer && !sso.saml_entry_point)) throw new BacklotError('not_found', 'no single sign-on is configured for this studio');
  return sso;
}

/** Records a sign-in attempt and answers where to send the browser, and the state to bind to it. */
export async function startSignIn(ctx: Ctx, studioId: string, input: StartInput): Promise<{ redirect: string; state: string }> {
  const sso = await configuredSso(ctx, studioId);
  const protocol: Protocol = input.protocol ?? (sso.oidc_issuer ? 'oidc' : 'saml');
  if (protocol === 'oidc' ? !sso.oidc_issuer : !sso.saml_entry_point)
    throw new BacklotError('not_found', `${protocol === 'oidc' ? 'OpenID Connect' : 'SAML'} is not configured for this studio`);
  if (!!input.cliRedirect !== !!input.cliChallenge) throw new BacklotError('validation_failed', 'cliRedirect and cliChallenge go together', { field: 'cliChallenge' });
  if (input.cliChallenge && !/^[A-Za-z0-9_-]{43}$/.test(input.cliChallenge)) throw new BacklotError('validation_failed', 'cliChallenge must be a base64url SHA-256', { field: 'cliChallenge' });
  const row: SsoStatesTable = {
    id: '', studio_id: studioId, protocol, nonce: null, code_verifier: null,
    return_to: input.cliRedirect ? null : safeReturnTo(input.returnTo),
    cli_redirect: input.cliRedirect ? loopbackRedirect(input.cliRedirect) : null, cli_challenge: input.cliChallenge ?? null,
    identity: null, created_at: nowIso(ctx), expires_at: addMs(ctx.clock.now(), STATE_TTL_MS).toISOString(), used_at: null, completed_at: null,
  };
  const state = newSecret();
  row.id = hashSecret(state);
  let redirect: string;
  if (protocol === 'oidc') {
    const config = await discoverIssuer(sso.oidc_issuer!, sso.oidc_client_id!, sso.oidc_client_secret ? unseal(ctx.config, sso.oidc_client_secret) : null);
    const start = await oidcAuthorizationUrl(config, oidcRedirectUri(ctx), state);
    row.nonce = start.nonce;
    row.code_verifier = start.codeVerifier;
    redirect = start.url;
  } else {
    redirect = await samlAuthorizationUrl(ctx, studioId, sso, state);
  }
  await ctx.db.insertInto('sso_states').values(row).execute();
  return { redirect, state };
}

const refusedState = () => new BacklotError('bad_request', 'this sign-in is unknown, expired or already used; start again', { reason: 'sso_state' });

/** Claims an attempt once: of two answers carrying one state only the first proceeds. */
async function claimState(ctx: Ctx, state: string, protocol: Protocol, studioId?: string): Promise<SsoStatesTable> {
  const id = hashSecret(state);
  const row = await ctx.db.selectFrom('sso_states').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || row.protocol !== protocol || row.used_at || row.expires_at <= nowIso(ctx) || (studioId && row.studio_id !== studioId)) throw refusedState();
  const claimed = await ctx.db.updateTable('sso_states').set({ used_at: nowIso(ctx) }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) throw refusedState();
  return row;
}

/**
 * Keeps the IdP's verified answer with the attempt; the browser then goes to /complete. No
 * account is made or changed before the browser that began the sign-in is seen there.
 */
async function answeredByIdp(ctx: Ctx, row: SsoStatesTable, person: IdpPerson) {
  await ctx.db.updateTable('sso_states').set({ identity: JSON.stringify(person), completed_at: nowIso(ctx) }).where('id', '=', row.id).execute();
}

/** A refused IdP answer is audited in the studio's log (who tried is unknown, what failed is not). */
async function auditRefusal(ctx: Ctx, studioId: string, protocol: Protocol, err: unknown) {
  if (!(err instanceof BacklotError)) return;
  const studio = await ctx.db.selectFrom('audit_heads').select('scope').where('scope', '=', studioId).executeTakeFirst();
  if (!studio) return;
  await inTransaction(ctx, (trx) => appendAudit(trx, { studioId, actorId: null, action: 'auth.sso_refused', targetType: 'studio', targetId: studioId, after: { protocol, code: err.code, reason: err.details.reason ?? null, message: err.message.slice(0, 300) }, ip: ctx.ip }, nowIso(ctx)));
}

export async function oidcReturn(ctx: Ctx, callbackUrl: URL): Promise<string> {
  const state = callbackUrl.searchParams.get('state');
  if (!state) throw refusedState();
  const row = await claimState(ctx, state, 'oidc');
  try {
    if (callbackUrl.searchParams.get('error')) throw new BacklotError('unauthenticated', `the identity provider refused the sign-in: ${callbackUrl.searchParams.get('error')}`, { reason: 'idp_error' });
    const sso = await configuredSso(ctx, row.studio_id);
    if (!sso.oidc_issuer) throw new BacklotError('not_found', 'OpenID Connect is no longer configured for this studio');
    const config = await discoverIssuer(sso.oidc_issuer, sso.oidc_client_id!, sso.oidc_client_secret ? unseal(ctx.config, sso.oidc_client_secret) : null);
    const id = await oidcCallback(config, callbackUrl, { state, nonce: row.nonce!, codeVerifier: row.code_verifier!, groupsClaim: sso.oidc_groups_claim ?? 'groups' });
    await answeredByIdp(ctx, row, { studioId: row.studio_id, protocol: 'oidc', subject: id.subject, email: id.email, name: id.name, groups: id.groups });
  } catch (err) {
    await auditRefusal(ctx, row.studio_id, 'oidc', err);
    throw err;
  }
  return state;
}

export async function samlReturn(ctx: Ctx, studioId: string, samlResponse: string, relayState: string): Promise<string> {
  const sso = await configuredSso(ctx, studioId);
  if (!sso.saml_entry_point) throw new BacklotError('not_found', 'SAML is not configured for this studio');
  try {
    const row = await claimState(ctx, relayState, 'saml', studioId);
    const id = await samlValidate(ctx, studioId, sso, samlResponse, sso.saml_groups_attribute ?? 'groups');
    // Replay: an assertion id is accepted once per studio, however its answer arrives.
    const seen = await ctx.db.insertInto('saml_seen_assertions')
      .values({ studio_id: studioId, assertion_id: id.assertionId, expires_at: id.notOnOrAfter ?? addMs(ctx.clock.now(), STATE_TTL_MS).toISOString() })
      .onConflict((oc) => oc.columns(['studio_id', 'assertion_id']).doNothing()).executeTakeFirst();
    if (Number(seen.numInsertedOrUpdatedRows ?? 0n) !== 1) throw new BacklotError('unauthenticated', 'this SAML assertion was already used', { reason: 'saml_replay' });
    await answeredByIdp(ctx, row, { studioId, protocol: 'saml', subject: id.subject, email: id.email, name: id.name, groups: id.groups });
  } catch (err) {
    await auditRefusal(ctx, studioId, 'saml', err);
    throw err;
  }
  return relayState;
}

export type Completion =
  | { kind: 'cookie'; session: IssuedSession; returnTo: string }
  | { kind: 'cli'; redirect: string };

/** The last step, in the browser that began: the binding cookie must name this attempt. */
export async function completeSignIn(ctx: Ctx, state: string, boundState: string | undefined, userAgent: string | null): Promise<Completion> {
  if (!boundState || boundState !== state)
    throw new BacklotError('forbidden', 'this sign-in was started in another browser; start it again here', { reason: 'sso_binding' });
  const id = hashSecret(state);
  const row = await ctx.db.selectFrom('sso_states').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row?.identity || !row.completed_at || row.expires_at <= nowIso(ctx)) throw refusedState();
  // One completion per attempt, whatever happens next.
  const done = await ctx.db.deleteFrom('sso_states').where('id', '=', id).executeTakeFirst();
  if (Number(done.numDeletedRows) !== 1) throw refusedState();
  const person = JSON.parse(row.identity) as IdpPerson;
  try {
    return await inTransaction(ctx, (trx) => provisionAndIssue(ctx, trx, row, person, userAgent));
  } catch (err) {
    await auditRefusal(ctx, row.studio_id, row.protocol, err);
    throw err;
  }
}

async function provisionAndIssue(ctx: Ctx, trx: Trx, row: SsoStatesTable, person: IdpPerson, userAgent: string | null): Promise<Completion> {
  const { userId, created } = await signInFromIdp(ctx, trx, person);
  await appendAudit(trx, { studioId: row.studio_id, actorId: userId, action: 'auth.sso_login', targetType: 'user', targetId: userId, after: { protocol: row.protocol, created, groups: person.groups }, ip: ctx.ip }, nowIso(ctx));
  const sso = await loadSso(trx, row.studio_id);
  if (row.cli_redirect) {
    const code = newSecret();
    await trx.insertInto('sso_handoffs').values({
      code_hash: hashSecret(code), user_id: userId, studio_id: row.studio_id, challenge: row.cli_challenge!,
      expires_at: addMs(ctx.clock.now(), HANDOFF_TTL_MS).toISOString(), used_at: null,
    }).execute();
    const u = new URL(row.cli_redirect);
    u.searchParams.set('code', code);
    return { kind: 'cli', redirect: u.toString() };
  }
  const session = await issueSession(ctx, trx, userId, 'cookie', { ip: ctx.ip, userAgent, sso: { studioId: row.studio_id, maxMinutes: sso?.session_max_minutes ?? null } });
  return { kind: 'cookie', session, returnTo: row.return_to ?? '/' };
}

/** The CLI redeems its one-time code with the verifier only it knows, for a bearer session. */
export async function redeemCliCode(ctx: Ctx, code: string, verifier: string, userAgent: string | null) {
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return inTransaction(ctx, async (trx) => {
    const hash = hashSecret(code);
    const row = await trx.selectFrom('sso_handoffs').selectAll().where('code_hash', '=', hash).executeTakeFirst();
    if (!row || row.used_at || row.expires_at <= nowIso(ctx) || row.challenge !== challenge)
      throw new BacklotError('unauthenticated', 'the sign-in code is unknown, expired, used or not yours', { reason: 'sso_handoff' });
    const claimed = await trx.updateTable('sso_handoffs').set({ used_at: nowIso(ctx) }).where('code_hash', '=', hash).where('used_at', 'is', null).executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) throw new BacklotError('unauthenticated', 'the sign-in code was already used', { reason: 'sso_handoff' });
    const sso = await loadSso(trx, row.studio_id);
    const session = await issueSession(ctx, trx, row.user_id, 'bearer', { ip: ctx.ip, userAgent, sso: { studioId: row.studio_id, maxMinutes: sso?.session_max_minutes ?? null } });
    return { userId: row.user_id, studioId: row.studio_id, session };
  });
}

/** Which studios offer SSO to an address: those that require its domain and have an IdP. */
export async function discoverSso(ctx: Ctx, rawEmail: string) {
  const email = normalizeEmail(rawEmail);
  if (!email) throw new BacklotError('validation_failed', 'not an email address', { field: 'email' });
  const domain = email.split('@')[1];
  const rows = await ctx.db.selectFrom('studio_sso as x').innerJoin('studios as s', 's.id', 'x.studio_id')
    .select(['s.id', 's.name', 's.allowed_domains', 'x.oidc_issuer', 'x.saml_entry_point']).where('s.deleted_at', 'is', null).execute();
  return rows
    .filter((r) => (r.oidc_issuer || r.saml_entry_point) && (JSON.parse(r.allowed_domains) as string[]).includes(domain))
    .map((r) => ({ studioId: r.id, studioName: r.name, protocols: [...(r.oidc_issuer ? ['oidc'] : []), ...(r.saml_entry_point ? ['saml'] : [])] }));
}
