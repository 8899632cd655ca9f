#!/usr/bin/env node
// Compiles the WebAssembly text sources of the storage package into TypeScript modules that
// embed the binary (base64), so nothing is read from disk at run time and no build step is
// needed to run from sources. Run after editing a .wat file:  node scripts/build-wasm.mjs
// `--check` writes nothing and exits 1 when an embedded binary is out of date (a test runs it).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const WASM_SOURCES = ['packages/storage/src/wasm/gear-scan.wat'];

const root = fileURLToPath(new URL('..', import.meta.url));

/** The binary of one .wat file (path relative to the repository root). */
async function compileWat(path) {
  const wabt = await wabtInit();
  const module = wabt.parseWat(path, readFileSync(root + path, 'utf8'));
  try {
    module.validate();
    return Buffer.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** The TypeScript module embedding `binary`. */
function embedding(path, binary) {
  const name = path.split('/').pop();
  return [
    `// Generated from ${name} by scripts/build-wasm.mjs; do not edit.`,
    `export const WASM_BASE64 =`,
    `  '${binary.toString('base64')}';`,
    '',
  ].join('\n');
}

const outputOf = (path) => path.replace(/\.wat$/, '.wasm.ts');

const check = process.argv.includes('--check');
let stale = 0;
for (const path of WASM_SOURCES) {
  const out = root + outputOf(path);
  const text = embedding(path, await compileWat(path));
  if (!check) writeFileSync(out, text);
  else if (!existsSync(out) || readFileSync(out, 'utf8') !== text) {
    console.error(`${outputOf(path)} is out of date: run node scripts/build-wasm.mjs`);
    stale++;
  }
}
process.exit(stale ? 1 : 0);
