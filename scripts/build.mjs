#!/usr/bin/env node
// Builds the web app into packages/web/dist (Vite; `backlot serve` serves it at /), then the
// `backlot` command into packages/cli/dist: one ES module bundle of our workspace
// packages (TypeScript compiled away), split so that each command loads only what it uses (the
// server is its own chunk, loaded by `serve` and `admin` alone). npm packages stay outside the
// bundle and load from node_modules as usual (native addons, pino's transport workers).
// Runs from `npm ci` (prepare) and from `npm test`; takes a few seconds.
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Builds into a folder beside `dist` and swaps it in, so a server or command running meanwhile never finds half a build. */
async function atomically(dist, buildInto) {
  const outdir = `${dist}.building-${process.pid}`;
  rmSync(outdir, { recursive: true, force: true });
  try {
    await buildInto(outdir);
    const old = `${dist}.old-${process.pid}`;
    if (existsSync(dist)) renameSync(dist, old);
    renameSync(outdir, dist);
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

// ---- the web app (packages/web/vite.config.ts says how)
const { build: viteBuild } = await import('vite');
await atomically(`${root}packages/web/dist`, async (outDir) => {
  await viteBuild({ configFile: `${root}packages/web/vite.config.ts`, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  precompress(outDir);
});

/**
 * Brotli and gzip copies of the app's text files, made once here: the server sends them to
 * browsers that accept them (@fastify/static's preCompressed) instead of compressing per request.
 */
function precompress(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !/\.(js|css|html|svg|json)$/.test(e.name)) continue;
    const file = join(e.parentPath ?? e.path, e.name);
    const bytes = readFileSync(file);
    if (bytes.length < 1024) continue;
    writeFileSync(`${file}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }));
    writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
  }
}

// ---- the backlot command

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

await atomically(`${root}packages/cli/dist`, (outdir) => build({ ...options, outdir }));
