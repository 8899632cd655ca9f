// Who the caller is to core's policy, built from what the server said about them: their studio
// seat (GET /studios) and their permissions in a project (GET /projects/:id). The browser keeps
// no rules of its own: it asks core's policy functions, the same ones the server enforces with,
// only to hide what would be refused. The server still decides every request.
import { PermissionSet, type MemberView, type ProjectActor, type StudioActor } from '@backlot/core';
import type { Me, ProjectDetail, StudioView } from '@backlot/api';

export function studioActor(me: Me, studio: StudioView | undefined): StudioActor {
  return { userId: me.id, role: studio?.myRole ?? null, suspended: false };
}

export function projectActor(me: Me, studio: StudioView | undefined, project: ProjectDetail): ProjectActor {
  return {
    ...studioActor(me, studio),
    projectRole: project.myRoleId ? { id: project.myRoleId, fixed: false, permissions: PermissionSet.of(project.myPermissions) } : null,
  };
}

/**
 * What the caller sees, for op checks on items the server has just shown them: everything on
 * their board is visible to them by definition (the server filtered it).
 */
export const SHOWN_BY_SERVER: MemberView = {
  userId: '',
  visibility: undefined as never,
  allAssets: false,
  allCollections: false,
  canSeeAsset: () => true,
  collectionAccess: () => 'full',
  canDownload: () => false,
};
