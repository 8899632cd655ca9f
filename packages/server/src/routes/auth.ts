import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  changePassword, completeSetup, listSessions, logIn, logOut, revokeSession, setUserActive, signUp,
} from '../services/accounts.js';
import { clearSessionCookies, deliverSession } from '../http/session.js';
import { body, Email, Id, Name, Password, SessionKind } from '../http/schemas.js';
import { requireUser } from '../auth/sessions.js';

const Account = { email: Email, name: Name, password: Password, session: Type.Optional(SessionKind) };

export async function authRoutes(app: FastifyInstance) {
  const ua = (h: string | string[] | undefined) => (typeof h === 'string' ? h : null);

  app.post('/setup', { schema: { tags: ['auth'], summary: 'Create the first account with the one-time setup token', body: body({ token: Type.String({ minLength: 1, maxLength: 200 }), ...Account }) } },
    async (req, reply) => {
      const b = req.body as { token: string; email: string; name: string; password: string; session?: 'cookie' | 'bearer' };
      const kind = b.session ?? 'bearer';
      const { userId, session } = await completeSetup(req.ctx, b.token, b, kind, ua(req.headers['user-agent']));
      return reply.status(201).send({ userId, ...deliverSession(reply, req.ctx, session, kind) });
    });

  app.post('/auth/signup', { schema: { tags: ['auth'], body: body(Account) } }, async (req, reply) => {
    const b = req.body as { email: string; name: string; password: string; session?: 'cookie' | 'bearer' };
    const kind = b.session ?? 'bearer';
    const { userId, session } = await signUp(req.ctx, b, kind, ua(req.headers['user-agent']));
    return reply.status(201).send({ userId, ...deliverSession(reply, req.ctx, session, kind) });
  });

  app.post('/auth/login', { schema: { tags: ['auth'], body: body({ email: Email, password: Password, session: Type.Optional(SessionKind) }) } }, async (req, reply) => {
    const b = req.body as { email: string; password: string; session?: 'cookie' | 'bearer' };
    const kind = b.session ?? 'bearer';
    const { userId, session } = await logIn(req.ctx, b.email, b.password, kind, ua(req.headers['user-agent']));
    return { userId, ...deliverSession(reply, req.ctx, session, kind) };
  });

  app.post('/auth/logout', { schema: { tags: ['auth'] } }, async (req, reply) => {
    await logOut(req.ctx);
    clearSessionCookies(reply);
    return reply.status(204).send();
  });

  app.get('/auth/me', { schema: { tags: ['auth'] } }, async (req) => {
    const u = requireUser(req.ctx.user);
    return { id: u.id, email: u.email, name: u.name, isInstanceAdmin: u.isInstanceAdmin };
  });

  app.post('/auth/password', { schema: { tags: ['auth'], summary: 'Change password; every other session ends', body: body({ currentPassword: Password, newPassword: Password }) } },
    async (req) => {
      const b = req.body as { currentPassword: string; newPassword: string };
      return changePassword(req.ctx, b.currentPassword, b.newPassword);
    });

  app.get('/auth/sessions', { schema: { tags: ['auth'] } }, async (req) => ({ sessions: await listSessions(req.ctx) }));

  app.delete('/auth/sessions/:sessionId', { schema: { tags: ['auth'], params: Type.Object({ sessionId: Id }) } }, async (req, reply) => {
    await revokeSession(req.ctx, (req.params as { sessionId: string }).sessionId);
    return reply.status(204).send();
  });

  app.post('/admin/users/:userId/deactivate', { schema: { tags: ['admin'], params: Type.Object({ userId: Id }) } }, async (req, reply) => {
    await setUserActive(req.ctx, (req.params as { userId: string }).userId, false);
    return reply.status(204).send();
  });
  app.post('/admin/users/:userId/reactivate', { schema: { tags: ['admin'], params: Type.Object({ userId: Id }) } }, async (req, reply) => {
    await setUserActive(req.ctx, (req.params as { userId: string }).userId, true);
    return reply.status(204).send();
  });
}
