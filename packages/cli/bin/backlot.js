#!/usr/bin/env node
// The `backlot` command, run from its build (packages/cli/dist, made by `npm run build`, which
// `npm ci` runs through the root package's prepare script).
try {
  await import('../dist/backlot.js');
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/backlot.js')) {
    console.error('backlot: the command is not built yet; run `npm run build` in the Backlot checkout');
    process.exit(1);
  }
  throw err;
}
