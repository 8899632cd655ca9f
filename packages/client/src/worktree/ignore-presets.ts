// Built-in ignore presets, by name: gitignore lines for files that tools regenerate or leave behind,
// never an artist's work. A working folder selects them with `#preset NAME` in its .backlotignore
// (`os` is always on). They hold no `!` lines, so the order they are applied in does not matter.
// Matching is case-insensitive (see ignore.ts), so no `[Ll]ibrary`-style classes are needed.
export const PRESETS = {
  // Operating-system and editor litter: Finder and Explorer metadata, editor backups, office locks.
  os: [
    '.DS_Store',
    '._*',
    '.Spotlight-V100',
    '.Trashes',
    '.fseventsd',
    'Thumbs.db',
    'ehthumbs.db',
    'desktop.ini',
    '$RECYCLE.BIN/',
    '*~',
    '.~lock.*#',
  ],

  // Temporary and lock files any application may leave (no *.bak: for some tools it is the only copy).
  common: ['*.tmp', '~$*', '*.crdownload'],

  // Unreal Engine: build products, caches and generated IDE files. Unanchored, because every
  // plugin under Plugins/ has its own Binaries/ and Intermediate/.
  unreal: [
    'Binaries/',
    'Intermediate/',
    'Saved/',
    'DerivedDataCache/',
    '.vs/',
    '*.sln',
    '*.suo',
    '*.sdf',
    '*.opensdf',
    '*.VC.db',
    '*.VC.opendb',
    '*.xcworkspace',
    '*.code-workspace',
  ],

  // Unity: what the editor regenerates beside Assets/. Anchored at the folder root (the Unity
  // project), because Assets/ may well hold real folders named Build or Library.
  unity: [
    '/Library/',
    '/Temp/',
    '/Obj/',
    '/Build/',
    '/Builds/',
    '/Logs/',
    '/UserSettings/',
    '/MemoryCaptures/',
    '/.vs/',
    '*.csproj',
    '*.sln',
    '*.suo',
    '*.user',
    '*.pidb',
    '*.booproj',
  ],

  // Blender: numbered save versions (scene.blend1 … scene.blend32), the half-written file of a
  // save in progress, and add-on bytecode. Digits only, so `shot.blend1_fixed.blend` is kept.
  blender: ['*.blend[0-9]', '*.blend[0-9][0-9]', '*.blend@', '__pycache__/', '*.pyc'],

  // Maya: incremental saves, autosaves and swatch (thumbnail) caches.
  maya: ['incrementalSave/', 'autosave/', '.mayaSwatches/', '*.swatches', '*.mayaSwatches'],

  // Houdini: numbered backups of scenes and digital assets in a backup/ folder beside them. Sim and
  // geometry caches are not listed: they can take hours to rebuild, so keeping them is a choice.
  houdini: ['**/backup/*_bak*.hip*', '**/backup/*_bak*.hda', '**/backup/*_bak*.otl'],
} as const satisfies Record<string, readonly string[]>;

export type PresetName = keyof typeof PRESETS;
