// One asset: its details and where it sits, who holds it (request, hand off, take over), its
// dependencies (add, remove, the whole graph on demand), and its trail: every checkpoint with
// the status it was made in and its preview, every status change, with downloads and share
// links where the server allows them.
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../app/api.ts';
import { Loading, LoadError, useTitle } from '../../ui/page.tsx';
import { assetKey, fileName, listsKey, useProjectData, when } from '../browser/project-data.ts';
import { Preview, StatusPill } from '../browser/Preview.tsx';
import { assetRules } from './can.ts';
import { Control } from './Control.tsx';
import { Dependencies } from './Dependencies.tsx';
import { KindSwitch } from './KindSwitch.tsx';
import { Shares } from './Shares.tsx';
import { Timeline } from './Timeline.tsx';
import '../browser/browser.css';
import './asset.css';

export function AssetPage() {
  const { projectId = '', assetId = '' } = useParams();
  const qc = useQueryClient();
  const { me, project, statuses, members, settings, actor } = useProjectData(projectId);
  const asset = useQuery({ queryKey: assetKey(projectId, assetId), queryFn: () => api.browse.asset(projectId, assetId) });
  const trail = useQuery({ queryKey: ['trail', projectId, assetId], queryFn: () => api.browse.trail(projectId, assetId) });
  const rules = useMemo(() => assetRules(actor, asset.data), [actor, asset.data]);
  const [shareFor, setShareFor] = useState<string | null>(null);
  useTitle(asset.data ? fileName(asset.data) : 'Asset');

  const refresh = () => Promise.all([
    qc.invalidateQueries({ queryKey: assetKey(projectId, assetId) }),
    qc.invalidateQueries({ queryKey: ['trail', projectId, assetId] }),
    qc.invalidateQueries({ queryKey: listsKey(projectId) }),
    qc.invalidateQueries({ queryKey: ['board', projectId] }),
  ]).then(() => undefined);

  if (asset.isError) return <section className="page"><LoadError error={asset.error} retry={() => void asset.refetch()} /></section>;
  if (asset.isPending || project.isPending) return <section className="page"><Loading label="Loading the asset…" /></section>;
  const a = asset.data;
  const status = a.statusId ? statuses.data?.find((s) => s.id === a.statusId) : null;
  const checkpoints = (trail.data?.entries ?? []).flatMap((e) => (e.type === 'checkpoint' ? [{ id: e.checkpoint.id, number: e.checkpoint.number }] : [])).reverse();
  const where = a.path.length ? a.path[a.path.length - 1] : null;

  return (
    <section className="page page--asset">
      <div className="page__head">
        <div>
          <nav className="crumbs" aria-label="Where it is">
            <ol>
              <li><Link to={`/studios/${project.data?.studioId}`}>Projects</Link></li>
              <li><Link to={`/projects/${projectId}/browse`}>{project.data?.name ?? 'Project'}</Link></li>
              {a.path.map((p) => <li key={p.id}><Link to={`/projects/${projectId}/browse?folder=${p.id}`}>{p.name}</Link></li>)}
            </ol>
          </nav>
          <h1>{fileName(a)}</h1>
        </div>
        {where && <Link className="button" to={`/projects/${projectId}/browse?folder=${where.id}`}>Open its collection</Link>}
      </div>
      <div className="asset">
        <div className="asset__main">
          <section className="panel asset__summary" aria-label="Details">
            <Preview projectId={projectId} checkpointId={a.cover?.checkpointId} extension={a.extension} size="full" alt={a.cover ? `Preview of ${fileName(a)}` : ''} />
            <dl className="facts">
              <div className="facts__wide"><dt>Kind</dt><dd><KindSwitch projectId={projectId} asset={a} canConvert={rules.convert} onChanged={refresh} /></dd></div>
              {a.kind === 'task' && <div><dt>Status</dt><dd>{status ? <StatusPill name={status.name} color={status.color} /> : 'No status'}</dd></div>}
              {a.kind === 'task' && <div><dt>Assignee</dt><dd>{a.assigneeName ?? (a.assigneeId ? 'Someone' : 'Unassigned')}</dd></div>}
              <div><dt>Type</dt><dd>{a.type ?? '—'}</dd></div>
              <div><dt>Tags</dt><dd>{a.tags.length ? a.tags.map((t) => <span key={t} className="chip">{t}</span>) : '—'}</dd></div>
              <div><dt>Latest checkpoint</dt><dd>{a.latestCheckpoint ? `#${a.latestCheckpoint.number}, ${when(a.latestCheckpoint.createdAt)}` : 'None yet'}</dd></div>
              <div><dt>Created</dt><dd>{when(a.createdAt)}</dd></div>
              <div><dt>Updated</dt><dd>{when(a.updatedAt)}</dd></div>
              {a.url && <div><dt>Link</dt><dd><a href={a.url} rel="noreferrer noopener" target="_blank">{a.url}</a></dd></div>}
            </dl>
            {a.description && <p className="asset__description">{a.description}</p>}
            {!a.canDownload && a.latestCheckpoint && <p className="lead asset__note">Your role may see this asset but not download its files.</p>}
          </section>
          <section className="panel" aria-labelledby="trail-title">
            <h2 id="trail-title" className="panel__title">History</h2>
            {trail.isPending ? <Loading label="Loading the history…" /> : trail.isError ? <LoadError error={trail.error} retry={() => void trail.refetch()} /> : (
              <Timeline projectId={projectId} trail={trail.data} extension={a.extension} canDownload={a.canDownload} canShare={rules.shareCreate} onShare={setShareFor} />
            )}
          </section>
        </div>
        <div className="asset__side">
          <Control projectId={projectId} asset={a} meId={me.id} members={members.data ?? []} rules={rules} onChanged={refresh} />
          {(rules.shareCreate || rules.shareManage) && (
            <Shares projectId={projectId} assetId={a.id} checkpoints={checkpoints} chosen={shareFor} canCreate={rules.shareCreate} canManage={rules.shareManage} />
          )}
          <Dependencies projectId={projectId} asset={a} types={settings.data?.dependencyTypes ?? []} canManage={rules.dependencies} onChanged={refresh} />
        </div>
      </div>
    </section>
  );
}
