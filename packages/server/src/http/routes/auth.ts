import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  changePassword, completeSetup, listSessions, logIn, logOut, revokeSession, setUserActive, signUp,
} from '../../admin/accounts.js';
import { clearSessionCookies, deliverSession } from '../session.js';
import { body, Email, Id, Name, Password, SessionKind } from '../schemas.js';
import { requireUser } from '../../auth/sessions.js';

const Account = { email: Email, name: Name, password: Password, session: Type.Optional(SessionKind) };
const userAgent = (h: string | string[] | undefined) => (typeof h === 'string' ? h : null);

export async function authRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['auth'];

  r.post('/setup', { schema: { tags, summary: 'Create the first account with the one-time setup token', body: body({ token: Type.String({ minLength: 1, maxLength: 200 }), ...Account }) } },
    async (req, reply) => {
      const kind = req.body.session ?? 'bearer';
      const { userId, session } = await completeSetup(req.ctx, req.body.token, req.body, kind, userAgent(req.headers['user-agent']));
      return reply.status(201).send({ userId, ...deliverSession(reply, req.ctx, session, kind) });
    });

  r.post('/auth/signup', { schema: { tags, body: body(Account) } }, async (req, reply) => {
    const kind = req.body.session ?? 'bearer';
    const { userId, session } = await signUp(req.ctx, req.body, kind, userAgent(req.headers['user-agent']));
    return reply.status(201).send({ userId, ...deliverSession(reply, req.ctx, session, kind) });
  });

  r.post('/auth/login', { schema: { tags, body: body({ email: Email, password: Password, session: Type.Optional(SessionKind) }) } }, async (req, reply) => {
    const kind = req.body.session ?? 'bearer';
    const { userId, session } = await logIn(req.ctx, req.body.email, req.body.password, kind, userAgent(req.headers['user-agent']));
    return { userId, ...deliverSession(reply, req.ctx, session, kind) };
  });

  r.post('/auth/logout', { schema: { tags } }, async (req, reply) => {
    await logOut(req.ctx);
    clearSessionCookies(reply);
    return reply.status(204).send();
  });

  r.get('/auth/me', { schema: { tags } }, async (req) => {
    const u = requireUser(req.ctx.user);
    return { id: u.id, email: u.email, name: u.name, isInstanceAdmin: u.isInstanceAdmin };
  });

  r.post('/auth/password', { schema: { tags, summary: 'Change password; every other session ends', body: body({ currentPassword: Password, newPassword: Password }) } },
    async (req) => changePassword(req.ctx, req.body.currentPassword, req.body.newPassword));

  r.get('/auth/sessions', { schema: { tags } }, async (req) => ({ sessions: await listSessions(req.ctx) }));

  r.delete('/auth/sessions/:sessionId', { schema: { tags, params: Type.Object({ sessionId: Id }) } }, async (req, reply) => {
    await revokeSession(req.ctx, req.params.sessionId);
    return reply.status(204).send();
  });

  const user = Type.Object({ userId: Id });
  r.post('/admin/users/:userId/deactivate', { schema: { tags: ['admin'], params: user } }, async (req, reply) => {
    await setUserActive(req.ctx, req.params.userId, false);
    return reply.status(204).send();
  });
  r.post('/admin/users/:userId/reactivate', { schema: { tags: ['admin'], params: user } }, async (req, reply) => {
    await setUserActive(req.ctx, req.params.userId, true);
    return reply.status(204).send();
  });
}
