// The audit log: pages of entries (newest first), whole exports as JSON Lines or CSV, and the
// studio's hash chain check.
import type { AuditFilter, AuditPage, ChainReport } from './contract.js';
import { ROUTES } from './routes.js';
import type { BinaryAnswer, Transport } from './transport.js';

export type AuditExportFormat = 'jsonl' | 'csv';

export function auditApi(t: Transport) {
  const exportAccept = (format: AuditExportFormat) => (format === 'csv' ? 'text/csv' : 'application/x-ndjson');
  return {
    /** GET /studios/:studioId/audit (studio owners and admins). */
    studio: (studioId: string, filter: AuditFilter = {}): Promise<AuditPage> => t.json(ROUTES['audit.studio'], { studioId }, { query: { ...filter } }),
    /** GET /projects/:projectId/audit (audit.view). */
    project: (projectId: string, filter: AuditFilter = {}): Promise<AuditPage> => t.json(ROUTES['audit.project'], { projectId }, { query: { ...filter } }),
    /** GET /studios/:studioId/audit/verify: walks the hash chain; reports the first broken link. */
    verifyStudio: (studioId: string): Promise<ChainReport> => t.json(ROUTES['audit.verifyStudio'], { studioId }),
    /** The studio log, every matching entry, streamed (same route, format=jsonl|csv). */
    exportStudio: (studioId: string, format: AuditExportFormat, filter: Omit<AuditFilter, 'cursor' | 'limit'> = {}): Promise<BinaryAnswer> =>
      t.stream(ROUTES['audit.studio'], { studioId }, { query: { ...filter, format }, accept: exportAccept(format) }),
    /** The project log, streamed. */
    exportProject: (projectId: string, format: AuditExportFormat, filter: Omit<AuditFilter, 'cursor' | 'limit'> = {}): Promise<BinaryAnswer> =>
      t.stream(ROUTES['audit.project'], { projectId }, { query: { ...filter, format }, accept: exportAccept(format) }),
  };
}
