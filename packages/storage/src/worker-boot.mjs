// Plain-JS entry for worker threads when the package runs from TypeScript sources.
// On Node 20, `node --import tsx` does not install tsx's loader in worker threads (verified with
// tsx 4.23 on Node 20.20: importing a .ts worker fails with ERR_UNKNOWN_FILE_EXTENSION), so the
// worker registers tsx itself before importing the real entry. Newer runtimes that already load
// .ts in workers take the first path.
import { workerData } from 'node:worker_threads';

const entry = workerData.entry;
try {
  await import(entry);
} catch (err) {
  if (err?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
  const { register } = await import('tsx/esm/api');
  register();
  // The failed load is cached under the plain URL; a query gives the module a fresh identity.
  await import(`${entry}?tsx`);
}
