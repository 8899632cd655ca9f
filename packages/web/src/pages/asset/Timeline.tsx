// A task's trail: every status change and checkpoint in time order, newest at the top, each
// with who and when; checkpoints with the status they were made in, their preview, and (when the
// server allows) a download link and a share link.
import type { StatusRef, Trail, TrailEntry } from '@backlot/api';
import { Preview, StatusPill } from '../browser/Preview.tsx';
import { downloadUrl, when } from '../browser/project-data.ts';
import { formatBytes as bytes } from '../../ui/format.ts';

interface Props {
  projectId: string;
  trail: Trail;
  extension: string;
  canDownload: boolean;
  canShare: boolean;
  onShare(checkpointId: string): void;
}

function Status({ s }: { s: StatusRef | null }) {
  if (!s) return <span className="timeline__none">no status</span>;
  return <StatusPill name={s.deleted ? `${s.name} (deleted)` : s.name} color={s.color} />;
}

export function Timeline({ projectId, trail, extension, canDownload, canShare, onShare }: Props) {
  const entries = [...trail.entries].reverse();
  if (!entries.length) return <p className="empty">No checkpoints or status changes yet.</p>;
  return (
    <>
      {!trail.checkpoints && <p className="lead">Your role does not show checkpoints; status changes are listed.</p>}
      <ol className="timeline">
        {entries.map((e, i) => <Entry key={`${e.type}-${e.at}-${i}`} e={e} {...{ projectId, extension, canDownload, canShare, onShare }} />)}
      </ol>
    </>
  );
}

function Entry({ e, projectId, extension, canDownload, canShare, onShare }: Omit<Props, 'trail'> & { e: TrailEntry }) {
  const who = e.actor.name ?? 'Someone';
  if (e.type === 'status') {
    return (
      <li className="timeline__entry timeline__entry--status">
        <span className="timeline__mark" aria-hidden="true" />
        <div className="timeline__body">
          <p className="timeline__line"><Status s={e.from} /> <span aria-hidden="true">→</span><span className="visually-hidden">to</span> <Status s={e.to} /></p>
          <p className="timeline__meta">{who} · <time dateTime={e.at}>{when(e.at)}</time>{e.checkpoint ? ` · with checkpoint #${e.checkpoint.number}` : ''}</p>
        </div>
      </li>
    );
  }
  const c = e.checkpoint;
  return (
    <li className="timeline__entry timeline__entry--checkpoint">
      <span className="timeline__mark timeline__mark--checkpoint" aria-hidden="true" />
      <div className="timeline__body timeline__body--checkpoint">
        <Preview projectId={projectId} checkpointId={c.previewHash ? c.id : null} extension={extension} size="large" alt={c.previewHash ? `Preview of checkpoint #${c.number}` : ''} />
        <div className="timeline__text">
          <h3 className="timeline__title">Checkpoint #{c.number} <Status s={c.status} /></h3>
          {c.comment && <p className="timeline__comment">“{c.comment}”</p>}
          <p className="timeline__meta">{who} · <time dateTime={e.at}>{when(e.at)}</time> · {bytes(c.size)}{c.revertedFrom ? ` · reverted from #${c.revertedFrom.number}` : ''}</p>
          <div className="timeline__actions">
            {canDownload && <a className="button button--small" href={downloadUrl(projectId, c.id)} download>Download #{c.number}</a>}
            {canShare && <button type="button" className="button button--small" onClick={() => onShare(c.id)}>Share #{c.number}…</button>}
          </div>
        </div>
      </div>
    </li>
  );
}
