import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { createProject, deleteProject, getProject, listProjects, renameProject, setProjectArchived } from '../../admin/projects.js';
import { addProjectMembers, changeProjectMemberRole, listProjectMembers, removeProjectMember } from '../../admin/project-members.js';
import { createRole, deleteRole, listRoles, permissionCatalog, updateRole } from '../../admin/roles.js';
import { body, Id, Name, params } from '../schemas.js';

const Permissions = Type.Array(Type.String({ maxLength: 64 }), { maxItems: 200 });

export async function projectRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['projects'];

  r.get('/permissions', { schema: { tags: ['roles'], summary: 'The permission catalog, grouped by area' } }, async () => permissionCatalog());

  r.get('/studios/:studioId/projects', {
    schema: { tags, params: params.studio, querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('archived'), Type.Literal('all')])) }) },
  }, async (req) => ({ projects: await listProjects(req.ctx, req.params.studioId, req.query.status) }));

  r.post('/studios/:studioId/projects', {
    schema: { tags, params: params.studio, body: body({ name: Name, preset: Type.Optional(Type.Union([Type.Literal('default'), Type.Literal('simple')])) }) },
  }, async (req, reply) => reply.status(201).send(await createProject(req.ctx, req.params.studioId, req.body)));

  r.get('/projects/:projectId', { schema: { tags, params: params.project } }, async (req) => getProject(req.ctx, req.params.projectId));

  r.patch('/projects/:projectId', { schema: { tags, params: params.project, body: body({ name: Name }) } }, async (req) =>
    renameProject(req.ctx, req.params.projectId, req.body.name));

  r.post('/projects/:projectId/archive', { schema: { tags, params: params.project } }, async (req) => setProjectArchived(req.ctx, req.params.projectId, true));
  r.post('/projects/:projectId/unarchive', { schema: { tags, params: params.project } }, async (req) => setProjectArchived(req.ctx, req.params.projectId, false));

  r.delete('/projects/:projectId', { schema: { tags, params: params.project } }, async (req, reply) => {
    await deleteProject(req.ctx, req.params.projectId);
    return reply.status(204).send();
  });

  // ---- members
  const mtags = ['project members'];
  r.get('/projects/:projectId/members', { schema: { tags: mtags, params: params.project } }, async (req) => listProjectMembers(req.ctx, req.params.projectId));

  r.post('/projects/:projectId/members', {
    schema: { tags: mtags, params: params.project, summary: 'Add several studio members with one role', body: body({ userIds: Type.Array(Id, { minItems: 1, maxItems: 500 }), roleId: Id }) },
  }, async (req, reply) => reply.status(201).send(await addProjectMembers(req.ctx, req.params.projectId, req.body)));

  r.patch('/projects/:projectId/members/:userId', { schema: { tags: mtags, params: params.projectMember, body: body({ roleId: Id }) } }, async (req) =>
    changeProjectMemberRole(req.ctx, req.params.projectId, req.params.userId, req.body.roleId));

  r.delete('/projects/:projectId/members/:userId', { schema: { tags: mtags, params: params.projectMember } }, async (req) =>
    removeProjectMember(req.ctx, req.params.projectId, req.params.userId));

  // ---- roles
  const rtags = ['roles'];
  r.get('/projects/:projectId/roles', { schema: { tags: rtags, params: params.project } }, async (req) => ({ roles: await listRoles(req.ctx, req.params.projectId) }));

  r.post('/projects/:projectId/roles', { schema: { tags: rtags, params: params.project, body: body({ name: Name, permissions: Permissions, assignedOnly: Type.Optional(Type.Boolean({ description: 'work only on what is explicitly assigned (and its dependencies)' })) }) } }, async (req, reply) =>
    reply.status(201).send(await createRole(req.ctx, req.params.projectId, req.body)));

  r.patch('/projects/:projectId/roles/:roleId', { schema: { tags: rtags, params: params.role, body: body({ name: Type.Optional(Name), permissions: Type.Optional(Permissions), assignedOnly: Type.Optional(Type.Boolean()) }) } }, async (req) =>
    updateRole(req.ctx, req.params.projectId, req.params.roleId, req.body));

  r.delete('/projects/:projectId/roles/:roleId', {
    schema: { tags: rtags, params: params.role, querystring: Type.Object({ replacementRoleId: Type.Optional(Id) }), summary: 'Delete a role; a role in use needs replacementRoleId' },
  }, async (req) => deleteRole(req.ctx, req.params.projectId, req.params.roleId, req.query.replacementRoleId));
}
