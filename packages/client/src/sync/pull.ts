// Pulling: the changes after this folder's cursor, page by page, each page applied to the mirror
// in one transaction together with its cursor (so a kill between pages resumes at the next one).
// A snapshot (the first pull, or what the member may see changed) replaces the whole mirror.
import type { BacklotApi, Change, PullAnswer, Snapshot } from '@backlot/api';
import { getItem, mirror } from '../project/items.js';
import type { ProjectDb } from '../project/project-db.js';

export interface PullResult {
  pages: number;
  changes: number;
  /** A snapshot replaced the mirror. */
  reset: boolean;
  revision: number;
}

/** Entity names of a snapshot's lists, as the mirror keeps them. */
const SNAPSHOT_LISTS: [keyof Snapshot, string, (v: Record<string, unknown>) => string][] = [
  ['collections', 'collection', (v) => v.id as string],
  ['assets', 'asset', (v) => v.id as string],
  ['dependencies', 'dependency', (v) => v.id as string],
  ['checkpoints', 'checkpoint', (v) => v.id as string],
  ['controlRequests', 'control_request', (v) => v.id as string],
  ['statuses', 'status', (v) => v.id as string],
  ['members', 'member', (v) => v.userId as string],
];

export async function pullChanges(api: BacklotApi, db: ProjectDb, options: { full?: boolean } = {}): Promise<PullResult> {
  const { projectId } = db.meta();
  const result: PullResult = { pages: 0, changes: 0, reset: false, revision: 0 };
  let since = options.full ? undefined : db.getMeta<string>('cursor');
  for (;;) {
    const answer = await api.sync.pull(projectId, since ? { since } : {});
    db.tx(() => applyPull(db, answer));
    result.pages++;
    result.revision = answer.revision;
    if (answer.reset) result.reset = true;
    else result.changes += answer.changes.length;
    since = answer.cursor;
    if (!answer.hasMore) return result;
  }
}

export function applyPull(db: ProjectDb, answer: PullAnswer): void {
  if (answer.reset) {
    mirror.clear(db);
    const s = answer.snapshot;
    for (const [list, entity, idOf] of SNAPSHOT_LISTS)
      for (const v of (s[list] as unknown as Record<string, unknown>[] | undefined) ?? []) mirror.put(db, entity, idOf(v), v);
    db.setMeta('settings', s.settings ?? {});
  } else {
    for (const c of answer.changes) applyChange(db, c);
  }
  db.setMeta('cursor', answer.cursor);
  db.setMeta('revision', answer.revision);
}

function applyChange(db: ProjectDb, c: Change): void {
  if (c.entity === 'settings') {
    if (c.change === 'upsert') db.setMeta('settings', c.data);
    return;
  }
  if (c.change === 'remove') mirror.remove(db, c.entity, c.id);
  else if (c.entity === 'member') mirror.put(db, c.entity, c.id, { ...getItem(db, 'member', c.id), ...(c.data as object) }); // a role change carries no name
  else mirror.put(db, c.entity, c.id, c.data);
}
