// Storage usage and quotas. Usage counts stored bytes (after compression) of the blobs a project
// holds, each once however many checkpoints share it; a studio's usage is the sum over its
// projects that are not deleted. Quotas (bytes, or null for none) are set by studio owners and
// admins, per studio and per project; uploads that would pass one are refused (blobs.ts).
import { authorizeContent, authorizeStudio, BacklotError } from '@backlot/core';
import { inTransaction, nowIso, type Ctx } from '../context.js';
import { appendAudit } from '../audit/log.js';
import { check, loadProjectAccess, loadStudioAccess } from '../access/access.js';
import { projectUsage, quotasOf, studioUsage } from './blobs.js';

export const MAX_QUOTA = 2 ** 53 - 1;

function checkQuota(bytes: number | null): void {
  if (bytes !== null && (!Number.isSafeInteger(bytes) || bytes < 0))
    throw new BacklotError('validation_failed', 'bytes must be a whole number of bytes (0 or more), or null for no quota', { field: 'bytes' });
}

export async function getProjectUsage(ctx: Ctx, projectId: string) {
  const { project, actor } = await loadProjectAccess(ctx, projectId);
  check(authorizeContent(actor, null, { kind: 'usage.view' }), { studioId: project.studio_id, projectId, action: 'usage.view' });
  const used = await projectUsage(ctx.db, projectId);
  const { project: projectQuota, studio: studioQuota } = await quotasOf(ctx.db, projectId);
  // What may still be pushed: the tighter of the two quotas (the studio's total is not disclosed).
  let remaining: number | null = projectQuota === null ? null : Math.max(0, projectQuota - used.bytes);
  if (studioQuota !== null) {
    const left = Math.max(0, studioQuota - (await studioUsage(ctx.db, project.studio_id)).bytes);
    remaining = remaining === null ? left : Math.min(remaining, left);
  }
  return { projectId, usedBytes: used.bytes, rawBytes: used.rawBytes, chunks: used.chunks, quotaBytes: projectQuota, remainingBytes: remaining };
}

export async function getStudioUsage(ctx: Ctx, studioId: string) {
  const { studio, actor } = await loadStudioAccess(ctx, studioId);
  check(authorizeStudio(actor, 'studio.usage.view'), { studioId, action: 'studio.usage.view' });
  const rows = await ctx.db
    .selectFrom('projects as p')
    .leftJoin('project_chunks as pc', 'pc.project_id', 'p.id')
    .select((eb) => ['p.id', 'p.name', 'p.status', 'p.quota_bytes', eb.fn.sum<number>('pc.stored_size').as('bytes'), eb.fn.sum<number>('pc.size').as('raw'), eb.fn.count<number>('pc.chunk_id').as('n')])
    .where('p.studio_id', '=', studioId)
    .where('p.deleted_at', 'is', null)
    .groupBy(['p.id', 'p.name', 'p.status', 'p.quota_bytes'])
    .orderBy('p.name')
    .orderBy('p.id')
    .execute();
  const projects = rows.map((r) => ({
    id: r.id, name: r.name, status: r.status, usedBytes: Number(r.bytes ?? 0), rawBytes: Number(r.raw ?? 0), chunks: Number(r.n ?? 0),
    quotaBytes: r.quota_bytes === null ? null : Number(r.quota_bytes),
  }));
  return {
    studioId, usedBytes: projects.reduce((n, p) => n + p.usedBytes, 0), rawBytes: projects.reduce((n, p) => n + p.rawBytes, 0),
    quotaBytes: studio.quota_bytes === null ? null : Number(studio.quota_bytes), projects,
  };
}

export async function setStudioQuota(ctx: Ctx, studioId: string, bytes: number | null) {
  const { studio, actor } = await loadStudioAccess(ctx, studioId);
  check(authorizeStudio(actor, 'studio.quota.set'), { studioId, action: 'studio.quota.set' });
  checkQuota(bytes);
  const before = studio.quota_bytes === null ? null : Number(studio.quota_bytes);
  const at = nowIso(ctx);
  await inTransaction(ctx, async (trx) => {
    await trx.updateTable('studios').set({ quota_bytes: bytes }).where('id', '=', studioId).execute();
    await appendAudit(trx, { studioId, actorId: actor.userId, action: 'studio.quota_changed', targetType: 'studio', targetId: studioId, before: { quotaBytes: before }, after: { quotaBytes: bytes }, ip: ctx.ip }, at);
  });
  return { studioId, quotaBytes: bytes };
}

export async function setProjectQuota(ctx: Ctx, projectId: string, bytes: number | null) {
  const { project, actor } = await loadProjectAccess(ctx, projectId);
  check(authorizeContent(actor, null, { kind: 'quota.set' }), { studioId: project.studio_id, projectId, action: 'quota.set' });
  checkQuota(bytes);
  const before = project.quota_bytes === null ? null : Number(project.quota_bytes);
  const at = nowIso(ctx);
  await inTransaction(ctx, async (trx) => {
    await trx.updateTable('projects').set({ quota_bytes: bytes }).where('id', '=', projectId).execute();
    await appendAudit(trx, { studioId: project.studio_id, projectId, actorId: actor.userId, action: 'project.quota_changed', targetType: 'project', targetId: projectId, before: { quotaBytes: before }, after: { quotaBytes: bytes }, ip: ctx.ip }, at);
  });
  return { projectId, quotaBytes: bytes };
}
