// In-process permission-check throughput: core's authorizeProject / authorizeStudio /
// PermissionSet.has on realistic actors, against a naive peer that makes the same decisions by
// looking permission names up in plain string arrays (Array.includes). Both are checked to give
// identical decisions on every case before anything is timed.
import {
  ALL_PERMISSIONS, authorizeProject, authorizeStudio, BacklotError, DEFAULT_ROLES, forbidden, notFound, PermissionSet,
  type Decision, type Permission, type ProjectAction, type ProjectActor, type StudioAction, type StudioActor, type StudioRole,
} from '@backlot/core';
import { loadavg } from 'node:os';
import { fmt, machineLine, median, ratio, table } from './report.js';
import { prng } from './prng.js';

// ---- deterministic workload ------------------------------------------------------------------

function weighted<T>(rand: () => number, items: [T, number][]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = rand() * total;
  for (const [item, w] of items) if ((x -= w) < 0) return item;
  return items[items.length - 1][0];
}

const CASES = 4096; // a power of two: the loops index with `i & (CASES - 1)`
const MASK = CASES - 1;

interface NaiveProjectActor {
  userId: string;
  role: StudioRole | null;
  suspended: boolean;
  projectRole: { id: string; fixed: boolean; permissions: string[] } | null;
}

interface ProjectCase {
  actor: ProjectActor;
  naive: NaiveProjectActor;
  /** The role's permissions as stored in the database (a JSON array). */
  stored: string | null;
  action: ProjectAction;
}

const roleByKey = new Map(DEFAULT_ROLES.map((r) => [r.key, r]));

/** Who asks, weighted like a working studio: mostly project members, a few managers and outsiders. */
const ACTOR_KINDS: [{ studio: StudioRole | null; project: string | null; suspended?: boolean }, number][] = [
  [{ studio: 'member', project: 'artist' }, 45],
  [{ studio: 'member', project: 'vendor' }, 8],
  [{ studio: 'member', project: 'supervisor' }, 10],
  [{ studio: 'member', project: 'assistant_supervisor' }, 8],
  [{ studio: 'member', project: 'production_manager' }, 8],
  [{ studio: 'admin', project: 'admin' }, 6],
  [{ studio: 'owner', project: null }, 2],
  [{ studio: 'admin', project: null }, 2],
  [{ studio: 'member', project: null }, 2],
  [{ studio: 'member', project: 'artist', suspended: true }, 1],
  [{ studio: null, project: null }, 2],
];

/** What they ask for, weighted towards the reads and status changes of daily work. */
const PROJECT_ACTIONS: [ProjectAction, number][] = [
  ['project.view', 25],
  ['checkpoint.view', 15],
  ['content.download', 12],
  ['checkpoint.create', 10],
  ['status.change', 8],
  ['asset.view_all', 5],
  ['collection.view_all', 4],
  ['assignment.self_assign', 3],
  ['status.approve', 3],
  ['members.view', 3],
  ['roles.view', 2],
  ['members.add', 2],
  ['asset.delete', 2],
  ['project.rename', 2],
  ['project.archive', 1],
  ['content.download_all', 1],
  ['audit.view', 1],
  ['roles.manage', 1],
];

const STUDIO_ACTIONS: [StudioAction, number][] = [
  ['studio.view', 40],
  ['studio.members.view', 20],
  ['studio.projects.view_all', 10],
  ['studio.projects.create', 8],
  ['studio.invite', 8],
  ['studio.audit.view', 6],
  ['studio.update', 5],
  ['studio.delete', 3],
];

function projectCases(): ProjectCase[] {
  const rand = prng(20260301);
  const out: ProjectCase[] = [];
  for (let i = 0; i < CASES; i++) {
    const kind = weighted(rand, ACTOR_KINDS);
    const tpl = kind.project ? roleByKey.get(kind.project)! : null;
    const id = `role-${kind.project}`;
    const userId = `user-${i % 97}`;
    const suspended = !!kind.suspended;
    const actor: ProjectActor = {
      userId, role: kind.studio, suspended,
      projectRole: tpl ? { id, fixed: tpl.fixed, permissions: PermissionSet.of(tpl.permissions) } : null,
    };
    const naive: NaiveProjectActor = {
      userId, role: kind.studio, suspended,
      projectRole: tpl ? { id, fixed: tpl.fixed, permissions: [...tpl.permissions] } : null,
    };
    out.push({ actor, naive, stored: tpl ? JSON.stringify(tpl.permissions) : null, action: weighted(rand, PROJECT_ACTIONS) });
  }
  return out;
}

// ---- the naive peer: same decisions, permission names in plain arrays --------------------------

const allow: Decision = { allowed: true };
const deny = (error: BacklotError): Decision => ({ allowed: false, error });

const NAIVE_MANAGER_ACTIONS: string[] = [
  'project.view', 'project.rename', 'project.archive', 'project.delete', 'members.view', 'members.add',
  'members.remove', 'members.change_role', 'roles.view', 'roles.manage', 'audit.view',
];

function naiveAuthorizeProject(actor: NaiveProjectActor, action: string): Decision {
  if (actor.role === null || actor.suspended) return deny(notFound('project'));
  const manager = actor.role === 'owner' || actor.role === 'admin';
  if (!actor.projectRole && !manager) return deny(notFound('project'));
  if (manager && NAIVE_MANAGER_ACTIONS.includes(action)) return allow;
  const role = actor.projectRole;
  if (!role) return deny(forbidden('studio owners and admins need a project role for this'));
  if (action === 'project.view' || action === 'members.view' || action === 'roles.view') return allow;
  const needed = action === 'project.rename' ? 'project.settings' : action === 'project.archive' ? 'project.delete' : action;
  return role.permissions.includes(needed) ? allow : deny(forbidden(`missing permission ${needed}`, { permission: needed }));
}

const NAIVE_STUDIO_ACTIONS: Record<StudioRole, string[]> = {
  owner: ['studio.view', 'studio.members.view', 'studio.update', 'studio.delete', 'studio.invite', 'studio.audit.view', 'studio.projects.create', 'studio.projects.view_all'],
  admin: ['studio.view', 'studio.members.view', 'studio.invite', 'studio.audit.view', 'studio.projects.create', 'studio.projects.view_all'],
  member: ['studio.view', 'studio.members.view'],
};
const NAIVE_OWNER_ONLY = ['studio.update', 'studio.delete'];

function naiveAuthorizeStudio(actor: StudioActor, action: string): Decision {
  if (actor.role === null || actor.suspended) return deny(notFound('studio'));
  if (NAIVE_STUDIO_ACTIONS[actor.role].includes(action)) return allow;
  return deny(forbidden(NAIVE_OWNER_ONLY.includes(action) ? 'only a studio owner may do this' : 'only studio owners and admins may do this'));
}

// ---- alternatives probed for the suggestions (not core code) ----------------------------------

const BIT = new Map<string, bigint>(ALL_PERMISSIONS.map((p, i) => [p, 1n << BigInt(i)]));
/** PermissionSet as it is, but with each permission's bigint bit precomputed. */
class PrecomputedBigintSet {
  constructor(private readonly mask: bigint) {}
  static of(perms: Iterable<string>) {
    let m = 0n;
    for (const p of perms) m |= BIT.get(p) ?? 0n;
    return new PrecomputedBigintSet(m);
  }
  has(p: string) {
    return (this.mask & BIT.get(p)!) !== 0n;
  }
}
const INDEX = new Map<string, number>(ALL_PERMISSIONS.map((p, i) => [p, i]));
/** 32-bit number words instead of a bigint (any catalog size). */
class WordSet {
  constructor(private readonly words: Uint32Array) {}
  static of(perms: Iterable<string>) {
    const words = new Uint32Array(Math.ceil(ALL_PERMISSIONS.length / 32));
    for (const p of perms) {
      const i = INDEX.get(p);
      if (i !== undefined) words[i >> 5] |= 1 << (i & 31);
    }
    return new WordSet(words);
  }
  has(p: string) {
    const i = INDEX.get(p)!;
    return (this.words[i >> 5] & (1 << (i & 31))) !== 0;
  }
}

// ---- timing ---------------------------------------------------------------------------------

type Loop = (n: number) => number;
let sink = 0;

/**
 * ns per operation in CPU time (user + system) rather than wall time: on a busy machine a
 * descheduled benchmark would otherwise count other processes' time. On an idle machine the two
 * agree for this single-threaded loop.
 */
function nsPerOp(loop: Loop, n: number): number {
  const c0 = process.cpuUsage();
  sink += loop(n);
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) * 1000) / n;
}

/** Iterations that take about `ms` on this machine. */
function calibrate(loop: Loop, ms: number): number {
  let n = 10_000;
  for (;;) {
    const t0 = process.hrtime.bigint();
    sink += loop(n);
    const took = Number(process.hrtime.bigint() - t0) / 1e6;
    if (took > 40 || n > 2 ** 28) return Math.max(10_000, Math.round((n * ms) / Math.max(took, 1e-3)));
    n *= 4;
  }
}

export interface PairResult {
  ours: number; // ns per check
  peer: number;
}

/** Warms both up, then alternates timed rounds of each and takes the median ns/check. */
function pair(ours: Loop, peer: Loop, opts: { rounds: number; roundMs: number }): PairResult {
  for (let i = 0; i < 3; i++) { sink += ours(100_000); sink += peer(100_000); }
  const nOurs = calibrate(ours, opts.roundMs);
  const nPeer = calibrate(peer, opts.roundMs);
  const a: number[] = [], b: number[] = [];
  for (let r = 0; r < opts.rounds; r++) {
    a.push(nsPerOp(ours, nOurs));
    b.push(nsPerOp(peer, nPeer));
  }
  return { ours: median(a), peer: median(b) };
}

/** One implementation alone (the alternatives): warm-up, then the median of timed rounds. */
function single(loop: Loop, opts: { rounds: number; roundMs: number }): number {
  for (let i = 0; i < 3; i++) sink += loop(100_000);
  const n = calibrate(loop, opts.roundMs);
  const xs: number[] = [];
  for (let r = 0; r < opts.rounds; r++) xs.push(nsPerOp(loop, n));
  return median(xs);
}

function sameDecision(x: Decision, y: Decision): boolean {
  if (x.allowed !== y.allowed) return false;
  if (x.allowed || y.allowed) return true;
  return x.error.code === y.error.code && x.error.message === y.error.message && JSON.stringify(x.error.details) === JSON.stringify(y.error.details);
}

export interface PermissionRow {
  label: string;
  what: string;
  ours: number;
  peer: number;
  peerLabel: string;
}

export interface PermissionResults {
  rows: PermissionRow[];
  alternatives: { label: string; ns: number }[];
  deniedShare: number;
  cases: number;
  hasBaseline: number;
  startedAt: Date;
  loadBefore: number[];
}

export function runPermissionBench(opts: { rounds?: number; roundMs?: number; log?: (s: string) => void } = {}): PermissionResults {
  const rounds = opts.rounds ?? 7;
  const roundMs = opts.roundMs ?? 120;
  const log = opts.log ?? (() => {});
  const startedAt = new Date();
  const loadBefore = loadavg();
  const cases = projectCases();

  // Same decisions on every case, or the comparison means nothing.
  let denied = 0;
  for (const c of cases) {
    const ours = authorizeProject(c.actor, c.action);
    if (!ours.allowed) denied++;
    if (!sameDecision(ours, naiveAuthorizeProject(c.naive, c.action)))
      throw new Error(`naive peer disagrees on ${c.action} for ${JSON.stringify(c.naive)}`);
  }
  const allowedCases = cases.filter((c) => authorizeProject(c.actor, c.action).allowed);
  const deniedCases = cases.filter((c) => !authorizeProject(c.actor, c.action).allowed);
  const fill = <T>(xs: T[]) => Array.from({ length: CASES }, (_, i) => xs[i % xs.length]);
  const allowedOnly = fill(allowedCases);
  const deniedOnly = fill(deniedCases);

  const rand = prng(7);
  const studioCases = Array.from({ length: CASES }, () => {
    const role = weighted<StudioRole | null>(rand, [['member', 80], ['admin', 8], ['owner', 4], [null, 8]]);
    return { actor: { userId: 'u', role, suspended: rand() < 0.02 } as StudioActor, action: weighted(rand, STUDIO_ACTIONS) };
  });
  for (const c of studioCases)
    if (!sameDecision(authorizeStudio(c.actor, c.action), naiveAuthorizeStudio(c.actor, c.action)))
      throw new Error(`naive studio peer disagrees on ${c.action}`);

  // Raw set membership: every default role × every permission, shuffled.
  const setCases: { set: PermissionSet; arr: string[]; pre: PrecomputedBigintSet; words: WordSet; lookup: Set<string>; p: Permission }[] = [];
  for (let i = 0; i < CASES; i++) {
    const tpl = DEFAULT_ROLES[Math.floor(rand() * DEFAULT_ROLES.length)];
    const p = ALL_PERMISSIONS[Math.floor(rand() * ALL_PERMISSIONS.length)];
    setCases.push({
      set: PermissionSet.of(tpl.permissions), arr: [...tpl.permissions], pre: PrecomputedBigintSet.of(tpl.permissions),
      words: WordSet.of(tpl.permissions), lookup: new Set(tpl.permissions), p,
    });
  }
  for (const c of setCases)
    if (c.set.has(c.p) !== c.arr.includes(c.p) || c.pre.has(c.p) !== c.arr.includes(c.p) || c.words.has(c.p) !== c.arr.includes(c.p))
      throw new Error(`set implementations disagree on ${c.p}`);

  const projectLoops = (xs: ProjectCase[]): [Loop, Loop] => [
    (n) => { let s = 0; for (let i = 0; i < n; i++) { const c = xs[i & MASK]; if (authorizeProject(c.actor, c.action).allowed) s++; } return s; },
    (n) => { let s = 0; for (let i = 0; i < n; i++) { const c = xs[i & MASK]; if (naiveAuthorizeProject(c.naive, c.action).allowed) s++; } return s; },
  ];

  const rows: PermissionRow[] = [];
  const measure = (label: string, what: string, peerLabel: string, [ours, peer]: [Loop, Loop]) => {
    log(`  permissions: ${label} …`);
    const r = pair(ours, peer, { rounds, roundMs });
    rows.push({ label, what, peerLabel, ...r });
  };

  measure('authorizeProject, realistic mix', `${CASES} actor×action cases, ${((denied / CASES) * 100).toFixed(0)}% refused`, 'same decisions, `Array.includes` on role permission names', projectLoops(cases));
  measure('authorizeProject, allowed only', 'the common path of a working member', 'same', projectLoops(allowedOnly));
  measure('authorizeProject, refused only', 'each refusal builds a `BacklotError`', 'same (builds the same error)', projectLoops(deniedOnly));
  measure('authorizeStudio, realistic mix', 'owner/admin/member/outsider × 8 studio actions', '`Array.includes` on per-role action names', [
    (n) => { let s = 0; for (let i = 0; i < n; i++) { const c = studioCases[i & MASK]; if (authorizeStudio(c.actor, c.action).allowed) s++; } return s; },
    (n) => { let s = 0; for (let i = 0; i < n; i++) { const c = studioCases[i & MASK]; if (naiveAuthorizeStudio(c.actor, c.action).allowed) s++; } return s; },
  ]);
  measure('PermissionSet.has', `${DEFAULT_ROLES.length} default roles × ${ALL_PERMISSIONS.length} permissions`, '`string[].includes`', [
    (n) => { let s = 0; for (let i = 0; i < n; i++) { const c = setCases[i & MASK]; if (c.set.has(c.p)) s++; } return s; },
    (n) => { let s = 0; for (let i = 0; i < n; i++) { const c = setCases[i & MASK]; if (c.arr.includes(c.p)) s++; } return s; },
  ]);
  measure('per request: parse stored role + PermissionSet.of + authorizeProject', 'what `loadProjectAccess` + `projectAccess` do per request, minus SQL', '`JSON.parse` + `Array.includes`', [
    (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const c = cases[i & MASK];
        const actor: ProjectActor = c.actor.projectRole
          ? { ...c.actor, projectRole: { ...c.actor.projectRole, permissions: PermissionSet.of(JSON.parse(c.stored!)) } }
          : c.actor;
        if (authorizeProject(actor, c.action).allowed) s++;
      }
      return s;
    },
    (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const c = cases[i & MASK];
        const actor: NaiveProjectActor = c.naive.projectRole
          ? { ...c.naive, projectRole: { ...c.naive.projectRole, permissions: JSON.parse(c.stored!) } }
          : c.naive;
        if (naiveAuthorizeProject(actor, c.action).allowed) s++;
      }
      return s;
    },
  ]);

  // Alternatives for PermissionSet.has, measured on the same cases (for suggestions only).
  log('  permissions: alternative set representations …');
  const alt = (loop: Loop) => single(loop, { rounds, roundMs });
  const alternatives = [
    { label: 'bigint mask, precomputed per-permission bit (no `BigInt()`/shift per call)', ns: alt((n) => { let s = 0; for (let i = 0; i < n; i++) { const c = setCases[i & MASK]; if (c.pre.has(c.p)) s++; } return s; }) },
    { label: '32-bit number words (`Uint32Array`)', ns: alt((n) => { let s = 0; for (let i = 0; i < n; i++) { const c = setCases[i & MASK]; if (c.words.has(c.p)) s++; } return s; }) },
    { label: '`Set<string>.has`', ns: alt((n) => { let s = 0; for (let i = 0; i < n; i++) { const c = setCases[i & MASK]; if (c.lookup.has(c.p)) s++; } return s; }) },
  ];
  const hasRow = rows.find((r) => r.label === 'PermissionSet.has')!;
  if (sink === 0.5) log('unreachable'); // keeps `sink` observable
  return { rows, alternatives, deniedShare: denied / CASES, cases: CASES, hasBaseline: hasRow.ours, startedAt, loadBefore };
}

const AIM_NS = 10_000;

export function permissionSection(r: PermissionResults): string {
  const perSec = (ns: number) => fmt(1e9 / ns);
  const mix = r.rows[0];
  const allowed = r.rows[1];
  const refused = r.rows[2];
  const has = r.rows[4];
  const lines = [
    '## Permission checks (in process)',
    '',
    machineLine(r.startedAt, r.loadBefore),
    '',
    'Core\'s policy functions on a deterministic mix of realistic actors (studio owners/admins, project members',
    'holding each default role, suspended members, outsiders) and actions. Peer, measured in the same run: a naive',
    'implementation making identical decisions (verified case by case) by looking permission names up in plain',
    'string arrays with `Array.includes`. Median of alternating timed rounds after warm-up, timed in process CPU',
    'time (so other load on the machine is not counted); ratio = our checks/s ÷ peer checks/s (above 1× = faster',
    'than the naive peer).',
    '',
    table(['check', 'workload', 'ours ns/check', 'ours checks/s', 'peer', 'peer ns/check', 'peer checks/s', 'ratio (speed)'],
      r.rows.map((x) => [x.label, x.what, fmt(x.ours), perSec(x.ours), x.peerLabel, fmt(x.peer), perSec(x.peer), ratio(x.peer, x.ours)])),
    '',
    `**Aim:** a permission check well under 10 µs — ${mix.ours < AIM_NS / 2 && allowed.ours < AIM_NS / 2 ? 'met' : mix.ours < AIM_NS ? 'met, without much margin' : '**not met**'}:` +
      ` realistic mix ${fmt(mix.ours)} ns (${fmt((mix.ours / AIM_NS) * 100, 2)}% of the aim), allowed path ${fmt(allowed.ours)} ns.` +
      ` A refusal costs ${fmt(refused.ours)} ns, almost all of it constructing the \`BacklotError\` (an \`Error\`, so a stack`,
    `trace is captured); the peer pays the same, so the mix's ratio is about 1×. The bigint \`PermissionSet.has\``,
    `is ${has.ours > has.peer ? `${fmt(has.ours / has.peer, 2)}× slower` : `${fmt(has.peer / has.ours, 2)}× faster`} than \`Array.includes\` on these role-sized arrays (alternatives below).`,
    '',
    'Other representations of a role\'s permission set, same cases as the `PermissionSet.has` row (bench-only prototypes, for comparison):',
    '',
    table(['representation', 'ns/check', 'checks/s', 'vs `PermissionSet.has` today'],
      r.alternatives.map((a) => [a.label, fmt(a.ns), perSec(a.ns), ratio(r.hasBaseline, a.ns)])),
  ];
  return lines.join('\n');
}
