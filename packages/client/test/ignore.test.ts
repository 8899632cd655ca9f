// Working-folder ignore rules: the built-in presets, the user's .backlotignore (negations, folder
// rules, `#preset` directives), the server-side lines, and the state folder that is always ignored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IGNORE_FILE, PRESET_NAMES, ignoreRules, loadIgnoreRules, type IgnoreRules } from '../src/worktree/ignore.js';

let tmp: string;
let n = 0;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'backlot-ignore-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A fresh folder holding `.backlotignore` with `text` (no file when `text` is undefined). */
async function folder(text?: string): Promise<string> {
  const root = join(tmp, `f${n++}`);
  await mkdir(root);
  if (text !== undefined) await writeFile(join(root, IGNORE_FILE), text);
  return root;
}

function expectIgnored(rules: IgnoreRules, yes: string[], no: string[]): void {
  for (const p of yes) assert.equal(rules.ignores(p), true, `${p} should be ignored`);
  for (const p of no) assert.equal(rules.ignores(p), false, `${p} should be kept`);
}

test('PRESET_NAMES lists every preset', () => {
  assert.deepEqual([...PRESET_NAMES].sort(), ['blender', 'common', 'houdini', 'maya', 'os', 'unity', 'unreal']);
});

test('os preset: OS and editor litter, at any depth, any case', () => {
  const rules = ignoreRules([], ['os']);
  expectIgnored(
    rules,
    ['.DS_Store', 'Thumbs.db', 'a/b/Thumbs.db', 'a/thumbs.db', 'desktop.ini', '._shot.exr', 'notes.txt~', 'docs/.~lock.script.odt#', '.Spotlight-V100/', '.Trashes'],
    ['shot.exr', 'a/b/scene.blend', 'Thumbs.db.png', 'thumbs/'],
  );
});

test('common preset: temp and Office lock files, not backups', () => {
  expectIgnored(ignoreRules([], ['common']), ['a.tmp', 'x/~$script.docx', 'movie.mov.crdownload'], ['script.docx', 'scene.bak', 'tmp/']);
});

test('unreal preset: build products and caches, plugins included', () => {
  expectIgnored(
    ignoreRules([], ['unreal']),
    ['Saved/Logs/x.log', 'Saved/', 'Intermediate/', 'Binaries/Win64/Game.exe', 'Plugins/P/Binaries/', 'DerivedDataCache/a.ddp', 'Game.sln', '.vs/'],
    ['Game.uproject', 'Content/Maps/Main.umap', 'Config/DefaultEngine.ini', 'Source/Game/Game.cpp'],
  );
});

test('unity preset: generated folders at the project root only', () => {
  expectIgnored(
    ignoreRules([], ['unity']),
    ['Library/', 'Library/ArtifactDB', 'Temp/', 'Obj/', 'Build/', 'Builds/', 'Logs/', 'UserSettings/', 'MemoryCaptures/', 'Game.csproj', 'Game.sln'],
    ['Assets/', 'Assets/Library/', 'Assets/Art/Build/tree.fbx', 'ProjectSettings/ProjectSettings.asset', 'Assets/Player.cs'],
  );
});

test('blender preset: numbered save versions, not the scene', () => {
  expectIgnored(
    ignoreRules([], ['blender']),
    ['scene.blend1', 'a/scene.blend2', 'scene.blend32', 'scene.blend@', 'addons/__pycache__/', 'x.pyc'],
    ['scene.blend', 'shot.blend1_fixed.blend', 'blend1/'],
  );
});

test('maya preset: incremental saves, autosaves, swatches', () => {
  expectIgnored(
    ignoreRules([], ['maya']),
    ['scenes/incrementalSave/', 'autosave/', 'scenes/.mayaSwatches/', 'scenes/.mayaSwatches/shot.ma.swatches'],
    ['scenes/shot.ma', 'scenes/shot.mb'],
  );
});

test('houdini preset: backups in backup/ folders, at any depth', () => {
  expectIgnored(
    ignoreRules([], ['houdini']),
    ['backup/shot_bak1.hip', 'fx/backup/shot_bak12.hipnc', 'otls/backup/tool_bak3.hda'],
    ['fx/shot.hip', 'fx/backup/', 'fx/backup/notes.txt', 'geo/sim.bgeo.sc'],
  );
});

test('a negation in the user lines re-includes what a preset ignores', () => {
  const rules = ignoreRules(['!Tools.sln', '!Saved/'], ['unreal']);
  expectIgnored(rules, ['Game.sln', 'Intermediate/'], ['Tools.sln', 'Saved/', 'Saved/Config/x.ini']);
});

test('folder rules with a trailing slash match folders and their contents, not files', () => {
  const rules = ignoreRules(['renders/', '/cache/'], []);
  expectIgnored(rules, ['renders/', 'shots/010/renders/', 'shots/010/renders/f.0001.exr', 'cache/', 'cache/a'], ['renders', 'shots/cache/', 'renders.txt']);
});

test('the state folder is ignored whatever the rules say', () => {
  const rules = ignoreRules(['!.backlot/', '!.backlot/state.json'], []);
  expectIgnored(rules, ['.backlot/', '.backlot/state.json', 'sub/.backlot/'], ['.backlotignore', 'backlot/']);
});

test('unknown preset: the error lists the known ones', () => {
  assert.throws(() => ignoreRules([], ['os', 'maya2']), (err: Error) => {
    assert.match(err.message, /"maya2"/);
    for (const name of PRESET_NAMES) assert.match(err.message, new RegExp(`\\b${name}\\b`));
    return true;
  });
});

test('loadIgnoreRules: missing file → only the os preset', async () => {
  const rules = await loadIgnoreRules(await folder());
  expectIgnored(rules, ['.DS_Store', 'a/b/Thumbs.db', '.backlot/'], ['Saved/', 'Library/', 'scene.blend1', 'a.tmp']);
});

test('loadIgnoreRules: #preset directives select presets, lines and negations apply after', async () => {
  const root = await folder('\uFEFF#preset unreal blender\r\n# a comment\r\n#preset common\r\n*.psd\r\n!keep.tmp\r\n!Thumbs.db\r\n');
  const rules = await loadIgnoreRules(root);
  expectIgnored(rules, ['Saved/Logs/x.log', 'scene.blend1', 'a.tmp', 'art/cover.psd', '.DS_Store'], ['keep.tmp', 'Thumbs.db', 'scene.blend', 'Library/']);
});

test('loadIgnoreRules: options.presets and extraLines come before the file', async () => {
  const root = await folder('!review/\n');
  const rules = await loadIgnoreRules(root, { presets: ['unity'], extraLines: ['review/', 'wip/'] });
  expectIgnored(rules, ['Library/', 'wip/', 'wip/a.ma', '.DS_Store'], ['review/', 'review/a.mov', 'Assets/']);
});

test('loadIgnoreRules: an unknown preset in the file names the file', async () => {
  const root = await folder('#preset unreal nuke\n');
  await assert.rejects(loadIgnoreRules(root), (err: Error) => {
    assert.ok(err.message.includes(join(root, IGNORE_FILE)), err.message);
    assert.match(err.message, /"nuke".*unreal/);
    return true;
  });
});

test('loadIgnoreRules: "#presets" and "# preset" are plain comments', async () => {
  const rules = await loadIgnoreRules(await folder('#presets unreal\n# preset unity\n'));
  expectIgnored(rules, [], ['Saved/', 'Library/']);
});
