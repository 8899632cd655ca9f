// What this asset depends on and what depends on it, as the server shows them (visible targets
// only); add one by searching assets by name, remove one; and the whole transitive graph on
// demand, walked here through the same asset reads (each answer filtered by the server), with a
// bound so a huge graph does not flood the page.
import { useEffect, useId, useState } from 'react';
import { Link } from 'react-router';
import type { AssetCard, AssetDependency, AssetDetail } from '@backlot/api';
import { api } from '../../app/api.ts';
import { messageOf } from '../../app/errors.ts';
import { fileName } from '../browser/project-data.ts';

interface Props {
  projectId: string;
  asset: AssetDetail;
  types: string[];
  canManage: boolean;
  onChanged(): Promise<void>;
}

const targetName = (d: AssetDependency) => (d.target.kind === 'asset'
  ? (d.target.name === null ? 'an asset you cannot see' : fileName({ name: d.target.name, extension: d.target.extension }))
  : d.target.name ?? 'a collection you cannot see');

export function Dependencies({ projectId, asset, types, canManage, onChanged }: Props) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const remove = async (d: AssetDependency) => {
    setBusy(d.id);
    setError(null);
    try {
      await api.production.removeDependency(projectId, d.id);
      await onChanged();
    } catch (err) {
      setError(`The dependency on ${targetName(d)} could not be removed: ${messageOf(err)}`);
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="panel" aria-labelledby="deps-title">
      <h2 id="deps-title" className="panel__title">Dependencies</h2>
      <h3 className="panel__sub">Uses</h3>
      {asset.dependencies.length === 0 ? <p className="lead">Depends on nothing.</p> : (
        <ul className="deps">
          {asset.dependencies.map((d) => (
            <li key={d.id} className="deps__item">
              <span className="chip">{d.type}</span>
              {d.target.kind === 'asset' && d.target.name !== null
                ? <Link to={`/projects/${projectId}/assets/${d.target.id}`}>{targetName(d)}</Link>
                : d.target.kind === 'collection' && d.target.name !== null
                  ? <Link to={`/projects/${projectId}/browse?folder=${d.target.id}`}>{targetName(d)} (collection)</Link>
                  : <span>{targetName(d)}</span>}
              {canManage && <button type="button" className="button button--small button--quiet" disabled={busy === d.id} onClick={() => void remove(d)}
                aria-label={`Remove the dependency on ${targetName(d)}`}>Remove</button>}
            </li>
          ))}
        </ul>
      )}
      {error && <p className="field__error" role="alert">{error}</p>}
      {canManage && <AddDependency projectId={projectId} asset={asset} types={types} onChanged={onChanged} />}
      <h3 className="panel__sub">Used by</h3>
      {asset.dependents.length === 0 ? <p className="lead">Nothing you can see depends on it.</p> : (
        <ul className="deps">
          {asset.dependents.map((d) => (
            <li key={d.id} className="deps__item"><span className="chip">{d.type}</span><Link to={`/projects/${projectId}/assets/${d.source.id}`}>{fileName(d.source)}</Link></li>
          ))}
        </ul>
      )}
      <Graph projectId={projectId} root={asset} />
    </section>
  );
}

function AddDependency({ projectId, asset, types, onChanged }: Omit<Props, 'canManage'>) {
  const [text, setText] = useState('');
  const [results, setResults] = useState<AssetCard[]>([]);
  const [target, setTarget] = useState<AssetCard | null>(null);
  const [type, setType] = useState(types[0] ?? 'uses');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const searchId = useId();
  const typeId = useId();
  useEffect(() => {
    const q = text.trim();
    if (!q || (target && fileName(target) === q)) return setResults([]);
    const t = setTimeout(() => {
      api.browse.assets(projectId, { text: q.slice(0, 200), limit: 8 })
        .then((p) => setResults(p.items.filter((a) => a.id !== asset.id)))
        .catch(() => setResults([]));
    }, 200);
    return () => clearTimeout(t);
  }, [text, projectId, asset.id, target]);
  const add = async () => {
    if (!target) return setError('Choose the asset this one depends on.');
    setBusy(true);
    setError(null);
    try {
      await api.production.addDependency(projectId, asset.id, { targetAssetId: target.id, dependencyType: type });
      setText('');
      setTarget(null);
      await onChanged();
    } catch (err) {
      setError(messageOf(err)); // what was typed and chosen stays
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="deps-add">
      <div className="field deps-add__search">
        <label htmlFor={searchId}>Add a dependency</label>
        <input id={searchId} type="search" placeholder="Search assets by name" value={text} aria-invalid={error ? true : undefined}
          onChange={(e) => { setText(e.target.value); setTarget(null); }} maxLength={200} />
        {results.length > 0 && (
          <ul className="deps-add__results" aria-label="Matching assets">
            {results.map((a) => (
              <li key={a.id}><button type="button" className="button button--quiet button--small" onClick={() => { setTarget(a); setText(fileName(a)); setResults([]); }}>{fileName(a)}</button></li>
            ))}
          </ul>
        )}
      </div>
      {types.length > 1 && (
        <div className="field">
          <label htmlFor={typeId}>Kind</label>
          <select id={typeId} value={type} onChange={(e) => setType(e.target.value)}>{types.map((t) => <option key={t} value={t}>{t}</option>)}</select>
        </div>
      )}
      <button type="button" className="button" disabled={busy || !target} onClick={() => void add()}>{busy ? 'Adding…' : 'Add'}</button>
      {error && <p className="field__error deps-add__error" role="alert">{error}</p>}
    </div>
  );
}

/** Nodes asked for at most, walking the graph: enough for a shot's whole set of assets. */
const GRAPH_LIMIT = 200;

interface GraphNode {
  name: string;
  deps: { id: string; type: string; kind: 'asset' | 'collection'; name: string }[];
}

function Graph({ projectId, root }: { projectId: string; root: AssetDetail }) {
  const [nodes, setNodes] = useState<Map<string, GraphNode> | null>(null);
  const [state, setState] = useState<'idle' | 'walking' | 'done' | 'capped'>('idle');
  const [error, setError] = useState<string | null>(null);
  const walk = async () => {
    setState('walking');
    setError(null);
    const seen = new Map<string, GraphNode>();
    const nodeOf = (a: AssetDetail): GraphNode => ({
      name: fileName(a),
      deps: a.dependencies.filter((d) => d.target.name !== null).map((d) => ({ id: d.target.id, type: d.type, kind: d.target.kind, name: targetName(d) })),
    });
    seen.set(root.id, nodeOf(root));
    let frontier = seen.get(root.id)!.deps.filter((d) => d.kind === 'asset').map((d) => d.id);
    try {
      while (frontier.length && seen.size < GRAPH_LIMIT) {
        const batch = [...new Set(frontier.filter((id) => !seen.has(id)))].slice(0, GRAPH_LIMIT - seen.size);
        const answers = await Promise.all(batch.map((id) => api.browse.asset(projectId, id).catch(() => null)));
        frontier = [];
        for (const a of answers) {
          if (!a) continue;
          const n = nodeOf(a);
          seen.set(a.id, n);
          frontier.push(...n.deps.filter((d) => d.kind === 'asset' && !seen.has(d.id)).map((d) => d.id));
        }
      }
      setNodes(seen);
      setState(frontier.length ? 'capped' : 'done');
    } catch (err) {
      setError(messageOf(err));
      setState('idle');
    }
  };
  return (
    <div className="graph">
      {state === 'idle' || state === 'walking' ? (
        <button type="button" className="button button--small" disabled={state === 'walking'} onClick={() => void walk()}>
          {state === 'walking' ? 'Following dependencies…' : 'Show everything it depends on'}
        </button>
      ) : (
        <>
          <h3 className="panel__sub">Everything it depends on ({nodes!.size - 1} asset{nodes!.size === 2 ? '' : 's'}{state === 'capped' ? `, first ${GRAPH_LIMIT}` : ''})</h3>
          <GraphLevel projectId={projectId} id={root.id} nodes={nodes!} path={new Set()} depth={0} />
          <button type="button" className="button button--small button--quiet" onClick={() => { setNodes(null); setState('idle'); }}>Hide</button>
        </>
      )}
      {error && <p className="field__error" role="alert">{error}</p>}
    </div>
  );
}

function GraphLevel({ projectId, id, nodes, path, depth }: { projectId: string; id: string; nodes: Map<string, GraphNode>; path: Set<string>; depth: number }) {
  const node = nodes.get(id);
  if (!node || !node.deps.length) return null;
  const inner = new Set(path).add(id);
  return (
    <ul className={depth === 0 ? 'graph__tree' : undefined}>
      {node.deps.map((d) => (
        <li key={`${d.kind}-${d.id}`}>
          <span className="chip">{d.type}</span>{' '}
          {d.kind === 'collection' ? <Link to={`/projects/${projectId}/browse?folder=${d.id}`}>{d.name} (collection, with everything in it)</Link>
            : <Link to={`/projects/${projectId}/assets/${d.id}`}>{d.name}</Link>}
          {inner.has(d.id) ? <span className="graph__cycle"> (cycle back)</span>
            : d.kind === 'asset' && depth < 12 && <GraphLevel projectId={projectId} id={d.id} nodes={nodes} path={inner} depth={depth + 1} />}
        </li>
      ))}
    </ul>
  );
}
