// Who may move file content: upload chunks, ask which chunks are present, download a
// checkpoint's file, see previews, publish share links, read usage and set quotas, collect
// garbage. Pure, like policy.ts: the server loads the facts (actor, member view) and asks.
//
// Content is governed by *visibility plus permission* (PRODUCT.md "Visibility is not
// permission"): seeing an asset's metadata (asset.view_all) is not enough to download its file;
// that needs content.download on a visible asset, or content.download_all.
import { BacklotError, forbidden, notFound } from './errors.js';
import { authorizeProject, canSeeProject, isProjectMember, tokenScopeDecision, type Decision, type ProjectActor } from './policy.js';
import type { MemberView } from './project-view.js';

export type ContentCheck =
  /** Ask which chunks are present (answers are filtered per caller, see the server). */
  | { kind: 'chunks.check' }
  /** Upload chunks: whoever may create checkpoints in the project. */
  | { kind: 'chunks.upload' }
  /** Download one asset's file content (a checkpoint's file, its chunks). */
  | { kind: 'content.download'; assetId: string }
  /** See a checkpoint's preview image: metadata, so visibility is enough (no download needed). */
  | { kind: 'preview.view'; assetId: string }
  /** Publish one checkpoint of a visible asset through a share link. */
  | { kind: 'share.create'; assetId: string }
  /** List, revoke and extend the project's share links. */
  | { kind: 'share.manage' }
  /** Storage used by the project. */
  | { kind: 'usage.view' }
  /** Set the project's storage quota: studio owners and admins only. */
  | { kind: 'quota.set' }
  /** Run garbage collection of unreferenced chunks now. */
  | { kind: 'gc.run' };

const allow: Decision = { allowed: true };
const deny = (error: BacklotError): Decision => ({ allowed: false, error });

/**
 * `view` is the caller's member view; checks about one asset need it (without one they are
 * refused as not found), project-wide checks do not.
 */
export function authorizeContent(actor: ProjectActor, view: MemberView | null, check: ContentCheck): Decision {
  switch (check.kind) {
    case 'chunks.check':
      return isProjectMember(actor) ? allow : deny(notFound('project'));
    case 'chunks.upload':
      return authorizeProject(actor, 'checkpoint.create');
    case 'content.download':
      if (!isProjectMember(actor)) return deny(notFound('project'));
      // content.download_all reaches any asset, seen or not.
      if (view?.canDownload(check.assetId)) return allow;
      if (!view?.canSeeAsset(check.assetId)) return deny(notFound('checkpoint'));
      return deny(forbidden('file content needs content.download on an asset visible to you, or content.download_all', { permission: 'content.download' }));
    case 'preview.view': {
      if (!isProjectMember(actor)) return deny(notFound('project'));
      if (!view?.canSeeAsset(check.assetId)) return deny(notFound('checkpoint'));
      return authorizeProject(actor, 'checkpoint.view');
    }
    case 'share.create':
      if (!isProjectMember(actor)) return deny(notFound('project'));
      if (!view?.canSeeAsset(check.assetId)) return deny(notFound('checkpoint'));
      return authorizeProject(actor, 'share.manage');
    case 'share.manage':
      return authorizeProject(actor, 'share.manage');
    case 'usage.view':
      return authorizeProject(actor, 'project.view');
    case 'quota.set':
      return authorizeQuotaChange(actor);
    case 'gc.run':
      return authorizeProject(actor, 'trash.purge');
  }
}

/**
 * Whether a stored chunk counts as present for the caller (presence answers, checkpoint
 * admission). A hash is not a permission: knowing a chunk's id must not tell anyone that the
 * project holds it, nor let them reference it. So only a chunk the caller uploaded, or one listed
 * by a checkpoint they may download, counts (docs/content.md, "hash guessing").
 */
export function chunkIsPresentFor(actorUserId: string, chunk: { uploadedBy: string | null }, listedByDownloadable: boolean): boolean {
  return chunk.uploadedBy === actorUserId || listedByDownloadable;
}

/**
 * Whether a stored image may become a checkpoint's preview: the caller uploaded it, or it is
 * already shown on a checkpoint of an asset they can see (`shownOnAssets`). Never an arbitrary
 * stored blob.
 */
export function previewIsUsableBy(actorUserId: string, image: { uploadedBy: string | null }, shownOnAssets: readonly string[], view: MemberView): boolean {
  return image.uploadedBy === actorUserId || shownOnAssets.some((assetId) => view.canSeeAsset(assetId));
}

/** Storage quotas are the studio's business (PRODUCT.md: admins "set storage quotas"). */
export function authorizeQuotaChange(actor: ProjectActor): Decision {
  if (!canSeeProject(actor)) return deny(notFound('project'));
  const scoped = tokenScopeDecision(actor, 'admin');
  if (scoped) return scoped;
  return actor.role === 'owner' || actor.role === 'admin' ? allow : deny(forbidden('only studio owners and admins may set storage quotas'));
}
