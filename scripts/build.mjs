#!/usr/bin/env node
// Builds the `backlot` command into packages/cli/dist: one ES module bundle of our workspace
// packages (TypeScript compiled away), split so that each command loads only what it uses (the
// server is its own chunk, loaded by `serve` and `admin` alone). npm packages stay outside the
// bundle and load from node_modules as usual (native addons, pino's transport workers).
// Runs from `npm ci` (prepare) and from `npm test`; takes about a second.
import { build } from 'esbuild';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}packages/cli/dist`;
// Built beside and swapped in, so a command running meanwhile never finds half a build.
const outdir = `${dist}.building-${process.pid}`;

/**
 * Pure-JS packages the commands load at start: bundled, they load faster than from node_modules
 * (typebox is hundreds of small modules; ignore, a CommonJS file, cost status ~10 ms to parse).
 */
const BUNDLED = /^(commander|typebox|ignore)(\/|$)/;

/** Bare imports other than our own packages (and BUNDLED) are left to node. */
const npmPackagesExternal = {
  name: 'npm-packages-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@backlot/') || BUNDLED.test(args.path) ? undefined : { path: args.path, external: true }));
  },
};

const options = {
  absWorkingDir: root,
  // The chunk worker sits beside the chunk that starts it (storage's worker-pool.ts finds it
  // next to itself), so chunks are written to the same folder as the entries.
  entryPoints: { backlot: 'packages/cli/src/cli.ts', 'chunk-worker': 'packages/storage/src/chunk-worker.ts' },
  outdir,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  plugins: [npmPackagesExternal],
  // Bundled CommonJS packages call require() for node's own modules.
  banner: { js: "import { createRequire as __backlotRequire } from 'node:module'; const require = __backlotRequire(import.meta.url);" },
  logLevel: 'warning',
};

rmSync(outdir, { recursive: true, force: true });
try {
  await build(options);
  const old = `${dist}.old-${process.pid}`;
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(outdir, dist);
  rmSync(old, { recursive: true, force: true });
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
