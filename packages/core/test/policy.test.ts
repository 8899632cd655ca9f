// Unit tests of core's studio and project policy (policy.ts), beside the HTTP matrices that prove
// the same rules through the server.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  authorizeGrantProjectRole, authorizeGrantStudioRole, authorizeProject, authorizeRoleChange, authorizeStudio, authorizeStudioMemberChange,
  canSeeProject, DEFAULT_ROLES, guardLastProjectAdmin, isProjectMember, PermissionSet, type ProjectActor, type StudioActor, type StudioRole,
} from '../src/index.js';

const studio = (role: StudioRole | null, suspended = false): StudioActor => ({ userId: 'me', role, suspended });
const roleOf = (key: string) => DEFAULT_ROLES.find((r) => r.key === key)!;
const member = (key: string | null, studioRole: StudioRole | null = 'member', suspended = false): ProjectActor => {
  const t = key ? roleOf(key) : null;
  return { ...studio(studioRole, suspended), projectRole: t ? { id: t.key, fixed: t.fixed, permissions: PermissionSet.of(t.permissions), assignedOnly: t.assignedOnly } : null };
};
const code = (d: { allowed: boolean; error?: { code: string } }) => (d.allowed ? 'ok' : d.error!.code);

describe('studio actions', () => {
  it('hide the studio from outsiders and suspended members', () => {
    assert.equal(code(authorizeStudio(studio(null), 'studio.view')), 'not_found');
    assert.equal(code(authorizeStudio(studio('owner', true), 'studio.view')), 'not_found');
  });

  it('let members look, admins manage, and only owners change or delete the studio', () => {
    assert.equal(code(authorizeStudio(studio('member'), 'studio.members.view')), 'ok');
    assert.equal(code(authorizeStudio(studio('member'), 'studio.invite')), 'forbidden');
    assert.equal(code(authorizeStudio(studio('admin'), 'studio.invite')), 'ok');
    assert.equal(code(authorizeStudio(studio('admin'), 'studio.projects.view_all')), 'ok');
    assert.equal(code(authorizeStudio(studio('member'), 'studio.projects.view_all')), 'forbidden');
    assert.equal(code(authorizeStudio(studio('admin'), 'studio.delete')), 'forbidden');
    assert.equal(code(authorizeStudio(studio('owner'), 'studio.delete')), 'ok');
  });

  it('let only owners hand out ownership', () => {
    assert.equal(code(authorizeGrantStudioRole(studio('admin'), 'admin')), 'ok');
    assert.equal(code(authorizeGrantStudioRole(studio('admin'), 'owner')), 'forbidden');
    assert.equal(code(authorizeGrantStudioRole(studio('owner'), 'owner')), 'ok');
  });

  it('never leave a studio without an active owner; admins do not touch owners; anyone may leave', () => {
    const owner = { userId: 'o', role: 'owner' as const, suspended: false };
    assert.equal(code(authorizeStudioMemberChange(studio('owner'), owner, { kind: 'remove' }, 1)), 'conflict');
    assert.equal(code(authorizeStudioMemberChange(studio('owner'), owner, { kind: 'suspend' }, 1)), 'conflict');
    assert.equal(code(authorizeStudioMemberChange(studio('owner'), owner, { kind: 'change_role', to: 'admin' }, 2)), 'ok');
    assert.equal(code(authorizeStudioMemberChange(studio('admin'), owner, { kind: 'remove' }, 2)), 'forbidden');
    const self = { userId: 'me', role: 'member' as const, suspended: false };
    assert.equal(code(authorizeStudioMemberChange(studio('member'), self, { kind: 'remove' }, 1)), 'ok');
    assert.equal(code(authorizeStudioMemberChange(studio('member'), { ...self, userId: 'x' }, { kind: 'remove' }, 1)), 'forbidden');
  });
});

describe('project actions', () => {
  it('hide a project from studio members without a role in it', () => {
    assert.equal(canSeeProject(member(null)), false);
    assert.equal(code(authorizeProject(member(null), 'project.view')), 'not_found');
    assert.equal(canSeeProject(member(null, 'admin')), true, 'studio admins administer every project');
    assert.equal(isProjectMember(member(null, 'admin')), false, '...without being a member of it');
    assert.equal(isProjectMember(member('artist', 'member', true)), false, 'a suspended seat holds no project');
  });

  it('let studio managers administer without a seat, but not work', () => {
    assert.equal(code(authorizeProject(member(null, 'owner'), 'members.add')), 'ok');
    assert.equal(code(authorizeProject(member(null, 'owner'), 'checkpoint.create')), 'forbidden');
  });

  it('follow the role: every member views, each permission is its own toggle', () => {
    assert.equal(code(authorizeProject(member('vendor'), 'project.view')), 'ok');
    assert.equal(code(authorizeProject(member('artist'), 'project.rename')), 'forbidden');
    assert.equal(code(authorizeProject(member('production_manager'), 'project.rename')), 'ok');
    assert.equal(code(authorizeProject(member('production_manager'), 'project.archive')), 'forbidden', 'archiving needs project.delete');
    assert.equal(code(authorizeProject(member('admin'), 'project.archive')), 'ok');
    assert.equal(code(authorizeProject(member('supervisor'), 'content.download_all')), 'ok');
  });

  it('never edit or delete the fixed role', () => {
    assert.equal(code(authorizeRoleChange({ fixed: true, name: 'Admin' }, 'edit')), 'forbidden');
    assert.equal(code(authorizeRoleChange({ fixed: true, name: 'Admin' }, 'delete')), 'forbidden');
    assert.equal(code(authorizeRoleChange({ fixed: false, name: 'Artist' }, 'delete')), 'ok');
    assert.equal((authorizeRoleChange({ fixed: true, name: 'Admin' }, 'edit') as { error: { details: Record<string, unknown> } }).error.details.reason, 'fixed_role');
  });

  it('keep one Admin', () => {
    assert.equal(code(guardLastProjectAdmin(true, false, 1)), 'conflict');
    assert.equal(code(guardLastProjectAdmin(true, false, 2)), 'ok');
    assert.equal(code(guardLastProjectAdmin(false, false, 1)), 'ok');
  });

  it('let nobody grant administrative permissions they lack, nor the fixed role', () => {
    const pm = member('production_manager');
    const admin = roleOf('admin');
    const artist = roleOf('artist');
    assert.equal(code(authorizeGrantProjectRole(pm, { fixed: false, permissions: PermissionSet.of(artist.permissions) })), 'ok');
    assert.equal(code(authorizeGrantProjectRole(pm, { fixed: true, permissions: PermissionSet.of(admin.permissions) })), 'forbidden');
    assert.equal(code(authorizeGrantProjectRole(pm, { fixed: false, permissions: PermissionSet.of(['roles.manage']) })), 'forbidden');
    assert.equal(code(authorizeGrantProjectRole(member('admin'), { fixed: true, permissions: PermissionSet.of(admin.permissions) })), 'ok');
    assert.equal(code(authorizeGrantProjectRole(member(null, 'admin'), { fixed: true, permissions: PermissionSet.all() })), 'ok');
  });
});
