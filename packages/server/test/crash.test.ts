// kill -9 during publishing (docs/content.md, "Upload"): a real server process is killed at 20
// random moments of chunk uploads (whole and as patches), checkpoint creation, the rebase that
// follows, and the purges and garbage collections running alongside, and restarted on the same
// data folder;
// every checkpoint it acknowledged downloads byte-identical afterwards, and killed writers leave
// no temp files. `npm run crash -- --kills 200` runs the same scenario longer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCrashScenario } from './crash/scenario.js';

test('every acknowledged checkpoint survives 20 kill -9 during publishing', { timeout: 10 * 60 * 1000 }, async (t) => {
  const report = await runCrashScenario({ kills: 20, seed: 20261203 });
  assert.equal(report.kills, 20);
  assert.ok(report.acknowledged >= 8, `only ${report.acknowledged} checkpoints were acknowledged`);
  assert.ok(report.patchesSent > 20, `only ${report.patchesSent} chunks went up as patches`);
  assert.ok(report.purged >= 5 && report.collections >= 5, `only ${report.purged} purges and ${report.collections} collections ran`);
  // How much the collections deleted is not asserted: purged chunks stay while a newer version's
  // patch names them as bases, until that version's background rebase (resumed after each
  // restart) stores it whole, and whether that happens before the next kill is timing.
  t.diagnostic(`collections deleted ${report.collected} chunks in ${report.collections} runs`);
  assert.deepEqual(report.broken, [], 'acknowledged checkpoints that do not download (or purged ones that still do)');
  assert.equal(report.leftoverTempFiles, 0, 'temp files of killed writers left behind');
});
