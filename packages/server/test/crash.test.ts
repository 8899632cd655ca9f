// kill -9 during publishing (docs/content.md, "Upload"): a real server process is killed at 20
// random moments of chunk uploads (whole and as patches), checkpoint creation and the rebase that
// follows, and restarted on the same data folder;
// every checkpoint it acknowledged downloads byte-identical afterwards, and killed writers leave
// no temp files. `npm run crash -- --kills 200` runs the same scenario longer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCrashScenario } from './crash/scenario.js';

test('every acknowledged checkpoint survives 20 kill -9 during publishing', { timeout: 10 * 60 * 1000 }, async () => {
  const report = await runCrashScenario({ kills: 20, seed: 20261203 });
  assert.equal(report.kills, 20);
  assert.ok(report.acknowledged >= 8, `only ${report.acknowledged} checkpoints were acknowledged`);
  assert.ok(report.patchesSent > 20, `only ${report.patchesSent} chunks went up as patches`);
  assert.deepEqual(report.broken, [], 'acknowledged checkpoints that do not download');
  assert.equal(report.leftoverTempFiles, 0, 'temp files of killed writers left behind');
});
