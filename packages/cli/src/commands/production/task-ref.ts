// What a reference on the command line points at. A task or asset: a path inside the working
// folder (relative to the current directory), an asset id, or a name searched on the server
// (exactly one match). A member: "me", an id, an email or a name. A status: its key (wfa), name,
// short label or id. Case does not matter for names. Several matches are a usage error (exit 2)
// that lists them; none is an error (exit 1) that says where to look.
import { relative, resolve, sep } from 'node:path';
import { ApiError, type AssetCard, type AssetView, type ProjectMember, type StatusView } from '@backlot/api';
import { CliError, EXIT } from '../../output/exit-codes.js';
import { fileName, isId, type ProjectContext } from './shared.js';

/** What a path is made from: an asset's name and, where the answer carries it, its folder (cards, requests, shares). */
export type Located = Pick<AssetView, 'id' | 'name' | 'extension'> & { folder?: string | null };

export interface TaskRef {
  id: string;
  /** Path in the working folder, else the file name. */
  label: string;
  asset: AssetView | AssetCard | Pick<AssetView, 'id' | 'name' | 'extension' | 'assigneeId' | 'kind'>;
}

/** Resolves references for one command run (member, status and path lookups are loaded once). */
export class Refs {
  private members?: Promise<ProjectMember[]>;
  private statuses?: Promise<StatusView[]>;
  private paths?: Promise<LocalTree | null>;

  constructor(readonly ctx: ProjectContext, readonly cwd = process.cwd()) {}

  memberList(): Promise<ProjectMember[]> {
    this.members ??= this.ctx.api.projectMembers.list(this.ctx.projectId).then((r) => r.members);
    return this.members;
  }

  statusList(): Promise<StatusView[]> {
    this.statuses ??= this.ctx.api.browse.statuses(this.ctx.projectId).then((r) => r.statuses);
    return this.statuses;
  }

  /** Asset id -> path in the working folder (null outside one). */
  async pathsById(): Promise<ReadonlyMap<string, string> | null> {
    return (await this.tree())?.pathOfAsset ?? null;
  }

  /** Folder paths in the working folder by collection id (null outside one). */
  async folderPaths(): Promise<ReadonlyMap<string, string> | null> {
    return (await this.tree())?.pathOfFolder ?? null;
  }

  /**
   * Asset id -> path from the project's top, for tables and lists: from the working folder's tree
   * where it knows the asset, else from the folder the server's answer carries (so a list outside
   * a working folder still tells same-named files apart), else its file name.
   */
  async pathsOf(assets: readonly Located[]): Promise<ReadonlyMap<string, string>> {
    const local = await this.pathsById();
    return new Map(assets.map((a) => [a.id, local?.get(a.id) ?? (a.folder ? `${a.folder}/${fileName(a)}` : fileName(a))]));
  }

  /** The label of an asset in messages and tables. */
  async label(asset: Located): Promise<string> {
    return (await this.pathsOf([asset])).get(asset.id)!;
  }

  private tree(): Promise<LocalTree | null> {
    this.paths ??= loadTree(this.ctx.folder);
    return this.paths;
  }

  /** A task or asset by path, id or name. */
  async task(ref: string): Promise<TaskRef> {
    const { api, projectId } = this.ctx;
    if (isId(ref)) {
      try {
        const asset = await api.browse.asset(projectId, ref);
        return { id: asset.id, label: await this.label(asset), asset };
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) {
          throw new CliError(`no task or asset with id ${ref} that you can see in this project`, EXIT.error, 'list them with: backlot tasks --kind all');
        }
        throw err;
      }
    }
    const tree = await this.tree();
    let path = ref.replace(/^\/+|\/+$/g, '');
    if (tree) {
      const rel = relative(tree.root, resolve(this.cwd, ref)).split(sep).join('/');
      const local = tree.assetByPath.get(rel);
      if (local && tree.notOnServer.has(local.id)) {
        throw new CliError(`${rel} was added in this folder and is not on the server yet`, EXIT.error, 'run `backlot sync` first, then try again');
      }
      if (local) return { id: local.id, label: rel, asset: local };
      if (!rel.startsWith('..')) path = rel;
    }
    // A path names one place: never a file of the same name in another folder. A bare name is
    // searched for (from a subfolder too).
    return /[\\/]/.test(ref) ? this.taskByPath(path) : this.taskByName(ref);
  }

  /** An asset by its path in the project, folder by folder on the server (one not synced here yet, or with --project). */
  private async taskByPath(path: string): Promise<TaskRef> {
    const { api, projectId } = this.ctx;
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    const file = parts.pop()!;
    const missing = () =>
      new CliError(`no task or asset at ${path} that you can see in this project`, EXIT.error, this.ctx.folder
        ? 'check the path (if it was added on the server since, run `backlot sync`), or give its name or id'
        : 'check the path, or give a name from `backlot tasks --kind all` or an id');
    let parentId: string | undefined;
    for (const name of parts) {
      const { collections } = await api.browse.collections(projectId, parentId ? { parentId } : {});
      const next = sameName(collections, (c) => c.name, name);
      if (!next) throw missing();
      parentId = next.id;
    }
    const dot = file.lastIndexOf('.');
    const { items } = await api.browse.assets(projectId, { folder: parentId ?? 'root', text: dot > 0 ? file.slice(0, dot) : file, limit: 200 });
    const asset = sameName(items.filter((a) => !a.url), fileName, file);
    if (!asset) throw missing();
    return { id: asset.id, label: path, asset };
  }

  private async taskByName(ref: string): Promise<TaskRef> {
    const { api, projectId } = this.ctx;
    const wanted = ref.toLowerCase();
    const search = async (text: string) => (await api.browse.assets(projectId, { text, limit: 50, sort: 'name' })).items;
    let found = await search(wanted);
    const dot = wanted.lastIndexOf('.');
    if (found.length === 0 && dot > 0) found = await search(wanted.slice(0, dot));
    const exact = found.filter((a) => a.name.toLowerCase() === wanted || fileName(a).toLowerCase() === wanted);
    const matches = exact.length > 0 ? exact : found.filter((a) => a.name.toLowerCase().includes(wanted));
    if (matches.length === 1) return { id: matches[0].id, label: await this.label(matches[0]), asset: matches[0] };
    if (matches.length === 0) {
      throw new CliError(
        `no task or asset "${ref}" that you can see in this project`,
        EXIT.error,
        this.ctx.folder
          ? 'give a path inside the working folder, a name from `backlot tasks --kind all`, or an id'
          : 'give a name from `backlot tasks --kind all` or an asset id (check --project too)',
      );
    }
    const shown = matches.slice(0, 20);
    const paths = await this.pathsOf(shown);
    const lines = shown.map((a) => `  ${paths.get(a.id)!.padEnd(30)} ${a.kind.padEnd(8)} ${a.id}`);
    const more = matches.length > 20 ? `\n  … and ${matches.length - 20} more` : '';
    throw new CliError(`"${ref}" matches ${matches.length} assets:\n${lines.join('\n')}${more}`, EXIT.usage, 'name one exactly: give its path as listed, or its id');
  }

  /** A project member by "me", id, email or name (a unique prefix of a name or email will do). */
  async user(ref: string): Promise<ProjectMember> {
    const members = await this.memberList();
    const me = ref.toLowerCase() === 'me' ? this.ctx.login.userId : null;
    const r = ref.toLowerCase();
    const exact = members.filter((m) => m.userId === (me ?? ref) || m.email?.toLowerCase() === r || m.name.toLowerCase() === r);
    const pool = exact.length > 0 ? exact : members.filter((m) => m.name.toLowerCase().startsWith(r) || m.email?.toLowerCase().startsWith(r));
    if (pool.length === 1) return pool[0];
    if (pool.length === 0) {
      if (me) throw new CliError('you are not a member of this project', EXIT.error, 'ask a project admin to add you');
      throw new CliError(`no member "${ref}" in this project`, EXIT.error, 'list them with: backlot members (give a name, an email or an id)');
    }
    const lines = pool.map((m) => `  ${m.name.padEnd(24)} ${(m.email ?? '').padEnd(28)} ${m.userId}`);
    throw new CliError(`"${ref}" matches ${pool.length} members:\n${lines.join('\n')}`, EXIT.usage, 'give their email or id');
  }

  /** A status by key, name, short label or id. */
  async status(ref: string): Promise<StatusView> {
    const statuses = await this.statusList();
    const r = ref.toLowerCase();
    const hits = statuses.filter((s) => s.id === ref || s.key?.toLowerCase() === r || s.name.toLowerCase() === r || s.shortLabel.toLowerCase() === r);
    if (hits.length === 1) return hits[0];
    const known = statuses.map((s) => s.key ?? s.shortLabel).join(', ');
    if (hits.length === 0) throw new CliError(`no status "${ref}" in this project`, EXIT.error, `use one of: ${known}`);
    throw new CliError(`"${ref}" names ${hits.length} statuses (${hits.map((s) => s.name).join(', ')})`, EXIT.usage, 'give its id (backlot board --json lists them)');
  }
}

interface LocalTree {
  root: string;
  assetByPath: ReadonlyMap<string, Pick<AssetView, 'id' | 'name' | 'extension' | 'assigneeId' | 'kind'>>;
  pathOfAsset: ReadonlyMap<string, string>;
  pathOfFolder: ReadonlyMap<string, string>;
  /** Assets added here whose creation has not been synced: the server does not know their ids. */
  notOnServer: ReadonlySet<string>;
}

/** The working folder's tree, read once (the client library is loaded only here). */
async function loadTree(folder: string | undefined): Promise<LocalTree | null> {
  if (!folder) return null;
  const { ProjectDb, ProjectTree, notOnServer } = await import('@backlot/client/working-folder');
  const db = ProjectDb.open(folder);
  try {
    const tree = new ProjectTree(db);
    const pathOfFolder = new Map([...tree.folders].map(([id, f]) => [id, f.path]));
    return { root: folder, assetByPath: tree.assetByPath, pathOfAsset: tree.pathOfAsset, pathOfFolder, notOnServer: notOnServer(db, 'asset') };
  } finally {
    db.close();
  }
}

/** The one entry named exactly `name`, else the one named so ignoring case (names are compared as people type them). */
function sameName<T>(entries: readonly T[], nameOf: (e: T) => string, name: string): T | undefined {
  const exact = entries.filter((e) => nameOf(e) === name);
  if (exact.length === 1) return exact[0];
  const folded = entries.filter((e) => nameOf(e).toLowerCase() === name.toLowerCase());
  return folded.length === 1 ? folded[0] : undefined;
}

