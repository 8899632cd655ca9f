// The CRC-32 of a chunk's stored encoding, recorded (project_chunks.stored_crc) whenever those
// bytes were verified: decoded and hashed to the chunk's id, at upload or by a rebase. Bytes that
// read back with the recorded checksum are the bytes that were verified, so a download can send
// them without decoding and hashing them again (4.7 GB/s against about 0.25 GB/s here). A checksum
// that does not match means nothing by itself: the chunk is then verified in full, and a chunk that
// fails that is never served. CRC-32 guards against damage at rest, not against someone who can
// write to the store; the receiver still checks every chunk against its id (SHA-256).
import { crc32 } from 'node:zlib';
import type { Trx } from '../context.js';
import type { Db } from '../db/connect.js';

/** Ids per query (well under both databases' parameter limits). */
const PART = 500;

/** Stored as a signed 32-bit integer, which both databases' `integer` hold. */
export const storedChecksum = (encoded: Uint8Array): number => crc32(encoded) | 0;

/** The recorded checksums of `ids` in the project (rows without one are left out). */
export async function recordedChecksums(exec: Db | Trx, projectId: string, ids: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < ids.length; i += PART) {
    const part = ids.slice(i, i + PART);
    const rows = await exec.selectFrom('project_chunks').select(['chunk_id', 'stored_crc']).where('project_id', '=', projectId).where('chunk_id', 'in', part).execute();
    for (const r of rows) if (r.stored_crc !== null) out.set(r.chunk_id, Number(r.stored_crc));
  }
  return out;
}
