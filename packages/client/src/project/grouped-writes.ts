// Writes to the project database committed in groups: one transaction (one disk flush) per group
// of up to 256 writes or per second, not one per file. A command killed midway keeps the groups
// committed before; callers make sure what a lost group recorded is found again (a checkpoint is
// made again, a written file is hashed and recorded at the next sync).
import type { ProjectDb } from './project-db.js';

const MAX_WRITES = 256;
const MAX_AGE_MS = 1000;

export class GroupedWrites {
  private writes: (() => void)[] = [];
  private started = Date.now();

  constructor(private readonly db: ProjectDb) {}

  /** Queues a write; the group is committed when it is full or a second old. */
  add(write: () => void): void {
    if (this.writes.length === 0) this.started = Date.now();
    this.writes.push(write);
    if (this.writes.length >= MAX_WRITES || Date.now() - this.started > MAX_AGE_MS) this.commit();
  }

  /** Commits what is queued, in one transaction. */
  commit(): void {
    const writes = this.writes;
    this.writes = [];
    if (writes.length > 0) this.db.tx(() => writes.forEach((write) => write()));
  }
}
