// Answers of the audit log routes.

export interface AuditEntry {
  /** Position in the studio's hash chain; pages go newest (highest) first. */
  seq: number;
  at: string;
  studioId: string | null;
  projectId: string | null;
  /** null for anonymous events (a failed login). */
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  hash: string;
}

/** GET /studios/:studioId/audit, /projects/:projectId/audit (format=json). */
export interface AuditPage {
  entries: AuditEntry[];
  /** Send as `cursor` for the next (older) page; null at the end. */
  nextCursor: string | null;
}

/** GET /studios/:studioId/audit/verify. */
export interface ChainReport {
  scope: string;
  ok: boolean;
  entries: number;
  /** The first broken link, when there is one. */
  broken?: { seq: number; reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'missing_entry' | 'truncated' };
}

/** The filters of an audit page or export (query parameters). */
export interface AuditFilter {
  /** A user id. */
  actor?: string;
  /** An action, or a prefix as `project.*`. */
  action?: string;
  targetType?: string;
  targetId?: string;
  /** ISO 8601 date or date-time with a zone; from is inclusive, to exclusive. */
  from?: string;
  to?: string;
  /** From the previous page's nextCursor. */
  cursor?: string;
  /** 1 to 1000 (default 100). */
  limit?: number;
}
