// Chunks as blobs in their own SQLite file (not the metadata database: chunk bytes would bloat
// its WAL, backups and VACUUM). One table for all namespaces, keyed (ns, id) with the id stored as
// 32 raw bytes. better-sqlite3 is synchronous; a 2 MiB blob read is well under a millisecond, so
// the event loop is blocked only briefly.
import Database from 'better-sqlite3';
import {
  assertNamespace,
  assertWithinLimit,
  verifyChunkWith,
  basesFrom,
  type VerifiedChunk,
  type ChunkBackend,
  type ChunkStore,
  type StoreLimits,
} from './chunk-store.js';
import { MAX_CHUNK_SIZE } from './fastcdc.js';
import { assertChunkId } from './hash.js';

export interface SqliteChunkStoreOptions extends StoreLimits {
  /** Path of the SQLite file (created if missing), or ':memory:'. */
  file: string;
}

/** Keeps `IN (...)` lists under SQLite's default host parameter limit. */
const BATCH = 500;
const LIST_PAGE = 1000;

export class SqliteChunkBackend implements ChunkBackend {
  readonly db: Database.Database;
  private readonly maxChunkSize: number;

  constructor(options: SqliteChunkStoreOptions) {
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS chunks (
      ns   TEXT NOT NULL,
      id   BLOB NOT NULL,
      data BLOB NOT NULL,
      PRIMARY KEY (ns, id)
    )`);
    this.maxChunkSize = options.maxChunkSize ?? MAX_CHUNK_SIZE;
  }

  store(namespace: string): SqliteChunkStore {
    return new SqliteChunkStore(this, namespace, this.maxChunkSize);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

export class SqliteChunkStore implements ChunkStore {
  readonly namespace: string;
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<[string, Buffer, Buffer]>;
  private readonly replace: Database.Statement<[string, Buffer, Buffer]>;
  private readonly select: Database.Statement<[string, Buffer], { data: Buffer }>;
  private readonly remove: Database.Statement<[string, Buffer]>;
  private readonly page: Database.Statement<[string, Buffer], { id: Buffer }>;

  constructor(
    backend: SqliteChunkBackend,
    namespace: string,
    private readonly maxChunkSize: number,
  ) {
    assertNamespace(namespace);
    this.namespace = namespace;
    this.db = backend.db;
    this.insert = this.db.prepare('INSERT OR IGNORE INTO chunks (ns, id, data) VALUES (?, ?, ?)');
    this.replace = this.db.prepare('INSERT OR REPLACE INTO chunks (ns, id, data) VALUES (?, ?, ?)');
    this.select = this.db.prepare('SELECT data FROM chunks WHERE ns = ? AND id = ?');
    this.remove = this.db.prepare('DELETE FROM chunks WHERE ns = ? AND id = ?');
    this.page = this.db.prepare(
      `SELECT id FROM chunks WHERE ns = ? AND id > ? ORDER BY id LIMIT ${LIST_PAGE}`,
    );
  }

  async has(ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += BATCH) {
      const batch = unique.slice(i, i + BATCH).map(key);
      const rows = this.db
        .prepare(`SELECT id FROM chunks WHERE ns = ? AND id IN (${batch.map(() => '?').join(',')})`)
        .all(this.namespace, ...batch) as { id: Buffer }[];
      for (const row of rows) found.add(row.id.toString('hex'));
    }
    return found;
  }

  async put(id: string, encoded: Buffer): Promise<void> {
    await this.putVerified(await verifyChunkWith(id, encoded, basesFrom(this, undefined, this.maxChunkSize), this.maxChunkSize));
  }

  async putVerified(chunk: VerifiedChunk): Promise<void> {
    await this.putVerifiedMany([chunk]);
  }

  /** One transaction: committed (WAL) before this resolves, so the chunks survive a crash. */
  async putVerifiedMany(chunks: readonly VerifiedChunk[]): Promise<void> {
    for (const chunk of chunks) assertWithinLimit(chunk, this.maxChunkSize);
    this.db.transaction(() => {
      for (const chunk of chunks) this.insert.run(this.namespace, key(chunk.id), chunk.encoded);
    })();
  }

  async replaceVerifiedMany(chunks: readonly VerifiedChunk[]): Promise<void> {
    for (const chunk of chunks) assertWithinLimit(chunk, this.maxChunkSize);
    this.db.transaction(() => {
      for (const chunk of chunks) this.replace.run(this.namespace, key(chunk.id), chunk.encoded);
    })();
  }

  /** Writes are transactions: nothing is left behind by a killed writer. */
  async cleanTemp(): Promise<number> {
    return 0;
  }

  async get(id: string): Promise<Buffer | null> {
    const row = this.select.get(this.namespace, key(id));
    return row ? row.data : null;
  }

  async delete(ids: readonly string[]): Promise<void> {
    const keys = [...new Set(ids)].map(key);
    this.db.transaction(() => {
      for (const k of keys) this.remove.run(this.namespace, k);
    })();
  }

  async *list(): AsyncIterable<string> {
    // Keyset pages rather than one open iterator: the connection stays usable (e.g. for delete)
    // while the caller consumes the listing.
    let after: Buffer = Buffer.alloc(0);
    for (;;) {
      const rows = this.page.all(this.namespace, after);
      for (const row of rows) yield row.id.toString('hex');
      if (rows.length < LIST_PAGE) return;
      after = rows[rows.length - 1].id;
    }
  }
}

function key(id: string): Buffer {
  assertChunkId(id);
  return Buffer.from(id, 'hex');
}
