// What test fixtures and benchmarks need beyond the public entry: the one-time setup token of a
// fresh instance, an account made without sign-up, and the configured chunk store. Exported as
// `@backlot/server/testing`, so nothing outside the package reaches into its source.
export { prepareSetup, insertUser } from './admin/accounts.js';
export { openChunks } from './config/chunk-store.js';
export type { DbKind } from './db/connect.js';
