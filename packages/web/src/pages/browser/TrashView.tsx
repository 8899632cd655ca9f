// The project's trash: what was deleted, by whom and when, newest first. Restore puts an item
// back where it was; purge removes it for good (asked twice). Shown only to those who may
// restore or purge; the server still decides each.
import { useState } from 'react';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import type { TrashItem } from '@backlot/api';
import { api } from '../../app/api.ts';
import { messageOf } from '../../app/errors.ts';
import { Loading, LoadError } from '../../ui/page.tsx';
import { listsKey, treeKey, when } from './project-data.ts';

interface Props {
  projectId: string;
  canRestore: boolean;
  canPurge: boolean;
  onNotice(kind: 'error' | 'info', text: string): void;
}

export const trashKey = (projectId: string) => ['trash', projectId] as const;

function nameOf(item: TrashItem): string {
  if (item.kind === 'collection') return item.name;
  if (item.kind === 'asset') return item.extension ? `${item.name}.${item.extension}` : item.name;
  return `Checkpoint #${item.number} of ${item.assetExtension ? `${item.assetName}.${item.assetExtension}` : item.assetName}`;
}

function whatOf(item: TrashItem): string {
  if (item.kind === 'collection') {
    const n = item.items.collections + item.items.assets;
    return n ? `Collection, with ${n} item${n === 1 ? '' : 's'} inside` : 'Collection';
  }
  if (item.kind === 'asset') return item.assetKind === 'task' ? 'Task' : 'Resource';
  return 'Checkpoint';
}

export function TrashView({ projectId, canRestore, canPurge, onNotice }: Props) {
  const qc = useQueryClient();
  const trash = useInfiniteQuery({
    queryKey: trashKey(projectId),
    queryFn: ({ pageParam }) => api.browse.trash(projectId, { cursor: pageParam, limit: 100 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const [busy, setBusy] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const act = async (item: TrashItem, how: 'restore' | 'purge') => {
    setBusy(item.id);
    try {
      if (how === 'restore') await api.production.restore(projectId, item.id);
      else await api.production.purge(projectId, item.id);
      onNotice('info', how === 'restore' ? `“${nameOf(item)}” is back in its place.` : `“${nameOf(item)}” was removed for good.`);
      setConfirming(null);
      await Promise.all([qc.invalidateQueries({ queryKey: trashKey(projectId) }), qc.invalidateQueries({ queryKey: listsKey(projectId) }), qc.invalidateQueries({ queryKey: treeKey(projectId) })]);
    } catch (err) {
      onNotice('error', `“${nameOf(item)}” could not be ${how === 'restore' ? 'restored' : 'purged'}: ${messageOf(err)}`);
    } finally {
      setBusy(null);
    }
  };
  if (trash.isPending) return <Loading label="Loading the trash…" />;
  if (trash.isError) return <LoadError error={trash.error} retry={() => void trash.refetch()} />;
  const items = trash.data.pages.flatMap((p) => p.items);
  if (!items.length) return <p className="empty">The trash is empty.</p>;
  return (
    <div className="trash">
      <table className="table">
        <caption className="visually-hidden">Items in the trash, newest first</caption>
        <thead><tr><th scope="col">Item</th><th scope="col">Deleted</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.id}>
              <td>
                <div className="trash__item">
                  <span className="preview preview--small preview--none" aria-hidden="true"><span className="preview__ext">{item.kind === 'collection' ? '▣' : item.kind === 'checkpoint' ? `#${item.number}` : item.extension ? `.${item.extension}` : '–'}</span></span>
                  <div><strong>{nameOf(item)}</strong><br /><span className="row__sub">{whatOf(item)}</span></div>
                </div>
              </td>
              <td>{when(item.deletedAt)}{item.deletedBy.name ? ` by ${item.deletedBy.name}` : ''}</td>
              <td className="table__actions">
                {confirming === item.id ? (
                  <span className="trash__confirm" role="group" aria-label={`Purge ${nameOf(item)}?`}>
                    <span>Remove for good?</span>
                    <button type="button" className="button button--small button--danger" disabled={busy === item.id} onClick={() => void act(item, 'purge')}>Purge for good</button>
                    <button type="button" className="button button--small button--quiet" onClick={() => setConfirming(null)}>Keep</button>
                  </span>
                ) : (
                  <>
                    {canRestore && <button type="button" className="button button--small" disabled={busy === item.id} onClick={() => void act(item, 'restore')} aria-label={`Restore ${nameOf(item)}`}>Restore</button>}
                    {canPurge && <button type="button" className="button button--small" disabled={busy === item.id} onClick={() => setConfirming(item.id)} aria-label={`Purge ${nameOf(item)}`}>Purge</button>}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {trash.hasNextPage && <button type="button" className="button trash__more" disabled={trash.isFetchingNextPage} onClick={() => void trash.fetchNextPage()}>Show older items</button>}
    </div>
  );
}
