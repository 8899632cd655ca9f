// `npm run bench`: permission checks in process, API requests per second under load, production
// tracking on a 100,000-asset project (bench/production.ts) and the artist's command line
// (bench/cli.ts), each against a peer measured in the same run; results go to BENCHMARKS.md
// (sections `bench:permissions`, `bench:api`, `bench:production`, `bench:cli` and, with --profile,
// `bench:api-profile`; nothing else in the file is touched).
//
//   npm run bench                         all four areas (about 25 minutes on 2 cores; cli takes ~19 of them)
//   npm run bench -- --only=permissions   one area (permissions | api | production | cli | web)
//   npm run bench -- --only=cli --scale=0.1  the cli area at a tenth of its sizes (a couple of minutes)
//   npm run bench -- --duration=10 --slices=2 --connections=50 --warmup=2 --projects=20
//   npm run bench -- --no-write           print the sections instead of writing BENCHMARKS.md
//   npm run bench -- --only=api --profile also profile the Backlot server under the same load and
//                                         break down its read paths (section `bench:api-profile`)
import { permissionSection, runPermissionBench } from './permissions.js';
import { apiSection, meetsAim, runApiBench } from './api.js';
import { profileSection, profileServer } from './profile.js';
import { productionSection, runProductionBench } from './production.js';
import { cliSection, runCliBench } from './cli.js';
import { runWebBench, webSection } from './web.js';
import { deprovisionSection, runDeprovisionBench } from './deprovision.js';
import { BENCHMARKS_FILE, updateSections } from './report.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const opt = (name: string, fallback: number) => {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  const v = a ? Number(a.split('=')[1]) : fallback;
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number`);
  return v;
};
const onlyArg = args.find((x) => x.startsWith('--only='))?.split('=')[1];
const areas = new Set(onlyArg ? onlyArg.split(',') : ['permissions', 'api', 'production', 'cli', 'web', 'identity']);
for (const a of areas) if (!['permissions', 'api', 'production', 'cli', 'web', 'identity'].includes(a)) throw new Error(`unknown area ${a} (permissions | api | production | cli | web | identity)`);

const log = (s: string) => process.stderr.write(`${s}\n`);
const started = Date.now();
const sections: Record<string, string> = {};
let failed = false;

if (areas.has('permissions')) {
  log('permission checks (in process) …');
  const r = runPermissionBench({ log });
  sections.permissions = permissionSection(r);
}

if (areas.has('api')) {
  log('API requests per second …');
  const apiOpts = {
    duration: opt('duration', 10), slices: opt('slices', 2), warmup: opt('warmup', 2), connections: opt('connections', 50), projects: opt('projects', 20), log,
  };
  const r = await runApiBench(apiOpts);
  sections.api = apiSection(r);
  for (const e of r.endpoints) {
    if (e.ours.non2xx || e.ours.errors) {
      failed = true;
      log(`error: ${e.path} had ${e.ours.non2xx} non-2xx answers and ${e.ours.errors} errors under load`);
    }
  }
  const short = r.endpoints.filter((e) => e.aim && !meetsAim(e));
  if (short.length && !flag('profile')) log(`note: ${short.length} endpoint(s) short of the aim; \`npm run bench -- --only=api --profile\` shows where the time goes`);
  if (flag('profile')) sections['api-profile'] = profileSection(await profileServer({ ...apiOpts, log }));
}

if (areas.has('production')) {
  log('production tracking on a 100,000-asset project …');
  sections.production = productionSection(await runProductionBench({ rounds: 200, pushRounds: 100, closureRounds: 40, coldRounds: 50, log }));
}

if (areas.has('cli')) {
  log('the artist\'s command line: first clone, incremental sync, status, start-up …');
  sections.cli = cliSection(await runCliBench({ scale: opt('scale', 1), log }));
}

if (areas.has('web')) {
  log('the web app on a 5,000-task board (headless Chromium; nginx as the floor) …');
  sections.web = webSection(await runWebBench({ log }));
}

// SCIM deprovisioning latency (bench/deprovision.ts); PostgreSQL rows when BACKLOT_TEST_PG names a cluster.
if (areas.has('identity')) sections.identity = deprovisionSection(await runDeprovisionBench({ rounds: opt('rounds', 30), pgUrl: process.env.BACKLOT_TEST_PG, log }));

for (const [name, body] of Object.entries(sections)) process.stdout.write(`\n${body}\n`);
if (!flag('no-write') && Object.keys(sections).length) {
  updateSections(sections);
  log(`\nwrote section(s) ${Object.keys(sections).join(', ')} of ${BENCHMARKS_FILE}`);
}
log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
if (failed) process.exitCode = 1;
