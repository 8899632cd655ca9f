#!/usr/bin/env node
// Fails when a package imports one it must not (docs/design.md, "Packages"): the packages depend
// one way only, core and api stay browser-safe, and no file reaches into another package's
// folders by a relative path (tests included: they use a package's public entry or the test kit).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

/** What each package's source may import: other packages, and whether Node's built-ins. */
const RULES = {
  core: { packages: [], node: false, external: ['typebox'] },
  storage: { packages: ['core'], node: true },
  api: { packages: ['core'], node: false, external: [] },
  client: { packages: ['core', 'storage', 'api'], node: true },
  server: { packages: ['core', 'storage'], node: true },
  cli: { packages: ['core', 'api', 'client', 'server'], node: true },
  'test-kit': { packages: ['core', 'storage', 'server'], node: true },
  web: { packages: ['core', 'api'], node: false },
};

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const SPECIFIER = /(?:import|export)\s[^;]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

function files(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(files(path));
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

const problems = [];
for (const pkg of readdirSync(join(ROOT, 'packages'))) {
  const rule = RULES[pkg];
  if (!rule) {
    problems.push(`packages/${pkg}: no import rule; add it to scripts/check-imports.mjs`);
    continue;
  }
  const pkgDir = join(ROOT, 'packages', pkg);
  for (const area of ['src', 'test', 'bin']) {
    let list;
    try {
      list = files(join(pkgDir, area));
    } catch {
      continue;
    }
    for (const file of list) {
      const text = readFileSync(file, 'utf8');
      const where = relative(ROOT, file);
      for (const m of text.matchAll(SPECIFIER)) {
        const spec = m[1] ?? m[2] ?? m[3];
        if (spec.startsWith('.')) {
          const target = resolve(file, '..', spec);
          if (!target.startsWith(pkgDir + sep)) problems.push(`${where}: reaches outside its package: ${spec}`);
          continue;
        }
        if (area !== 'src') continue; // tests and bins may use any package's public entry
        const backlot = /^@backlot\/([^/]+)/.exec(spec);
        if (backlot) {
          if (!rule.packages.includes(backlot[1])) problems.push(`${where}: ${pkg} must not import @backlot/${backlot[1]}`);
        } else if (spec.startsWith('node:')) {
          if (!rule.node) problems.push(`${where}: ${pkg} runs in the browser too and must not import ${spec}`);
        } else if (rule.external && !rule.external.includes(spec.split('/')[0])) {
          problems.push(`${where}: ${pkg} must not depend on ${spec}`);
        }
      }
    }
  }
}

if (problems.length) {
  console.error(`import rules broken (${problems.length}):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('import rules: every package imports only what it may');
