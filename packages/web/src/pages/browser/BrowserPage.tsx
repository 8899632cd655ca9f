// The project browser: the collection tree (opened in place), the folder's items as a list or a
// grid of previews, tabs and combinable filters (searching the folder's whole subtree), multi-
// select to move or trash, new collections and assets, and the trash with restore and purge.
// Everything shown comes from the server, filtered by what the caller may see; what is offered
// comes from their permissions (core's policy); the server still decides every change.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { keepPreviousData, useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../app/api.ts';
import { messageOf } from '../../app/errors.ts';
import { useLiveEvents } from '../../app/live.ts';
import { useUrlParams } from '../../app/url-state.ts';
import { LiveBanner } from '../../ui/LiveBanner.tsx';
import { Loading, LoadError, NoticeBar, useTitle, type Notice } from '../../ui/page.tsx';
import { isSearching, listQuery, paramsOf, stateFrom, type BrowseState } from './browse-query.ts';
import { browseRules } from './can.ts';
import { listsKey, treeKey, useProjectData } from './project-data.ts';
import { CollectionTree, useChildren } from './CollectionTree.tsx';
import { AssetList, itemKey, itemName, type Item } from './AssetList.tsx';
import { Tabs } from './BrowseTabs.tsx';
import { FilterBar } from '../../filters/FilterBar.tsx';
import { NewAssetForm, NewCollectionForm } from './CreateForms.tsx';
import { MoveDialog } from './MoveDialog.tsx';
import { TrashView, trashKey } from './TrashView.tsx';
import './browser.css';

/** Items per page of the list: a few screens, so scrolling rarely waits. */
const PAGE = 100;

export function BrowserPage() {
  const { projectId = '' } = useParams();
  const [params, setParams] = useUrlParams();
  const state = useMemo(() => stateFrom(params), [params]);
  const qc = useQueryClient();
  const { project, statuses, members, settings, actor } = useProjectData(projectId);

  const setState = useCallback((next: Partial<BrowseState>) => {
    setParams((p) => paramsOf({ ...stateFrom(p), ...next }), { replace: !('folder' in next || 'trash' in next) });
  }, [setParams]);
  const folderHref = useCallback((id: string) => `?${paramsOf({ ...state, folder: id, trash: false }).toString()}`, [state]);

  // The folder shown and the way down to it (its ancestors open in the tree).
  const folder = useQuery({
    queryKey: ['collection', projectId, state.folder],
    queryFn: () => api.browse.collection(projectId, state.folder),
    enabled: !!state.folder,
  });
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  useEffect(() => {
    const path = folder.data?.path;
    if (path?.length) setExpanded((s) => new Set([...s, ...path.map((p) => p.id)]));
  }, [folder.data]);
  const toggle = useCallback((id: string) => setExpanded((s) => {
    const n = new Set(s);
    if (!n.delete(id)) n.add(id);
    return n;
  }), []);

  const searching = isSearching(state);
  const query = listQuery(state);
  const subfolders = useChildren(projectId, state.folder, !searching && !state.trash);
  const assets = useInfiniteQuery({
    queryKey: [...listsKey(projectId), query],
    queryFn: ({ pageParam }) => (query ? api.browse.assets(projectId, { ...query, cursor: pageParam, limit: PAGE }) : { items: [], nextCursor: null, sort: 'name' as const, order: 'asc' as const }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    enabled: !state.trash,
  });
  const items: Item[] = useMemo(() => [
    ...(!searching ? (subfolders.data ?? []).map((entry): Item => ({ kind: 'collection', entry })) : []),
    ...(assets.data?.pages.flatMap((p) => p.items) ?? []).map((card): Item => ({ kind: 'asset', card })),
  ], [searching, subfolders.data, assets.data]);

  const nameOnly = useMemo(() => new Set([
    ...(folder.data && 'nameOnly' in folder.data ? [folder.data.id] : []),
    ...(folder.data?.path ?? []).filter((p) => p.nameOnly).map((p) => p.id),
    ...(subfolders.data ?? []).filter((c) => 'nameOnly' in c).map((c) => c.id),
  ]), [folder.data, subfolders.data]);
  const rules = useMemo(() => browseRules(actor, nameOnly), [actor, nameOnly]);

  const [selected, setSelected] = useState<Map<string, Item>>(new Map());
  const [notice, setNotice] = useState<Notice | null>(null);
  const [creating, setCreating] = useState<'collection' | 'asset' | null>(null);
  const [moving, setMoving] = useState(false);
  useEffect(() => setSelected(new Map()), [state.folder, state.trash]);

  const folderName = state.folder ? folder.data?.name ?? 'this collection' : 'the top level';
  useTitle(project.data ? `${project.data.name}: ${state.trash ? 'trash' : 'browser'}` : 'Browser');

  const refresh = () => Promise.all([qc.invalidateQueries({ queryKey: listsKey(projectId) }), qc.invalidateQueries({ queryKey: treeKey(projectId) })]);
  // Others' changes show without a reload: a change the caller may see refreshes what is on screen
  // (the lists, the tree, the trash), once per burst of changes.
  const burst = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(burst.current), []);
  const live = useLiveEvents(projectId, {
    onChanges: (_pull, { first, resumed }) => {
      if (first && !resumed) return; // the connection's opening snapshot: the page was just loaded
      clearTimeout(burst.current);
      burst.current = setTimeout(() => {
        void refresh();
        void qc.invalidateQueries({ queryKey: trashKey(projectId) });
      }, 150);
    },
  });
  const picked = [...selected.values()];
  const pickedCollections = new Set(picked.filter((i) => i.kind === 'collection').map((i) => i.entry.id));
  const canMoveTo = (to: string) => picked.length > 0 && picked.every((i) => (i.kind === 'asset' ? rules.moveAsset(i.card.id, to || null) : rules.moveCollection(i.entry.id, to || null)));
  const canMoveSome = picked.length > 0 && picked.every((i) => (i.kind === 'asset' ? rules.moveAsset(i.card.id, null) || rules.moveAsset(i.card.id, i.card.collectionId) : rules.moveCollection(i.entry.id, null)));
  const canTrash = picked.length > 0 && picked.every((i) => (i.kind === 'asset' ? rules.deleteAsset(i.card.id) : rules.deleteCollection(i.entry.id)));

  /** Runs one request per selected item; says how many went through and why the others did not. */
  const eachSelected = async (verb: string, run: (i: Item) => Promise<unknown>) => {
    const failed: string[] = [];
    let done = 0;
    for (const item of picked) {
      try {
        await run(item);
        done++;
      } catch (err) {
        failed.push(`“${itemName(item)}”: ${messageOf(err)}`);
      }
    }
    setSelected(new Map());
    await refresh();
    const ok = `${done} item${done === 1 ? '' : 's'} ${verb}.`;
    setNotice(failed.length ? { kind: 'error', text: `${done ? ok + ' ' : ''}Not ${verb}: ${failed.join(' ')}` } : { kind: 'info', text: ok });
  };
  const move = async (to: string) => {
    await eachSelected('moved', (i) => (i.kind === 'asset'
      ? api.production.updateAsset(projectId, i.card.id, { collectionId: to || null })
      : api.production.updateCollection(projectId, i.entry.id, { parentId: to || null })));
    setMoving(false);
  };
  const trash = () => eachSelected('moved to the trash', (i) => (i.kind === 'asset' ? api.production.deleteAsset(projectId, i.card.id) : api.production.deleteCollection(projectId, i.entry.id)));

  if (project.isError) return <section className="page"><LoadError error={project.error} retry={() => void project.refetch()} /></section>;
  if (project.isPending) return <section className="page"><Loading label="Loading the project…" /></section>;

  return (
    <section className="page page--browser">
      <LiveBanner state={live} />
      <div className="page__head">
        <div>
          <p className="eyebrow"><Link to={`/studios/${project.data.studioId}`}>Projects</Link> / {project.data.name}</p>
          <h1>{state.trash ? 'Trash' : 'Browser'}</h1>
        </div>
        {!state.trash && (
          <div className="browser__head-actions">
            {rules.createCollection(state.folder || null) && <button type="button" className="button" aria-pressed={creating === 'collection'} onClick={() => setCreating(creating === 'collection' ? null : 'collection')}>New collection</button>}
            {rules.createAsset(state.folder || null) && <button type="button" className="button" aria-pressed={creating === 'asset'} onClick={() => setCreating(creating === 'asset' ? null : 'asset')}>New asset</button>}
          </div>
        )}
      </div>
      <div className="browser">
        <aside className="browser__side">
          <CollectionTree projectId={projectId} label="Collections" rootLabel={project.data.name} selected={state.trash ? '\u0000' : state.folder} expanded={expanded}
            onToggle={toggle} onSelect={(id) => setState({ folder: id, trash: false })} />
          {rules.viewTrash && (
            <button type="button" className="tree__name browser__trash" aria-current={state.trash ? 'true' : undefined} onClick={() => setState({ trash: true })}>
              <span className="browser__trash-icon" aria-hidden="true" />Trash
            </button>
          )}
        </aside>
        <div className="browser__main">
          <div className="board-notices" aria-live="polite">
            <NoticeBar notice={notice} onDismiss={() => setNotice(null)} />
          </div>
          {state.trash ? (
            <TrashView projectId={projectId} canRestore={rules.restore} canPurge={rules.purge} onNotice={(kind, text) => setNotice({ kind, text })} />
          ) : (
            <>
              <Breadcrumbs path={folder.data?.path ?? []} current={state.folder ? folder.data?.name ?? '…' : null} root={project.data.name} href={folderHref} />
              {creating === 'collection' && (
                <NewCollectionForm projectId={projectId} folder={state.folder} folderName={folderName} settings={settings.data}
                  onCreated={async (text) => { setNotice({ kind: 'info', text }); await refresh(); }} onClose={() => setCreating(null)} />
              )}
              {creating === 'asset' && (
                <NewAssetForm projectId={projectId} folder={state.folder} folderName={folderName} settings={settings.data}
                  onCreated={async (text) => { setNotice({ kind: 'info', text }); await refresh(); }} onClose={() => setCreating(null)} />
              )}
              <div className="browser__bar">
                <Tabs tab={state.tab} onChange={(tab) => setState({ tab })} />
                <div className="segmented" role="group" aria-label="Layout">
                  <button type="button" className="segmented__item" aria-pressed={state.layout === 'list'} onClick={() => setState({ layout: 'list' })}>List</button>
                  <button type="button" className="segmented__item" aria-pressed={state.layout === 'grid'} onClick={() => setState({ layout: 'grid' })}>Grid</button>
                </div>
              </div>
              <FilterBar id="browse" label="Filter items" filters={state} statuses={statuses.data ?? []} members={members.data ?? []} types={settings.data?.assetTypes ?? []} tags={settings.data?.tags ?? []} onChange={setState} />
              {picked.length > 0 && (
                <div className="selection" role="region" aria-label="Selected items">
                  <p><strong>{picked.length}</strong> selected</p>
                  {canMoveSome && <button type="button" className="button button--small" onClick={() => setMoving(true)}>Move to…</button>}
                  {canTrash && <button type="button" className="button button--small" onClick={() => void trash()}>Move to trash</button>}
                  <button type="button" className="button button--small button--quiet" onClick={() => setSelected(new Map())}>Clear selection</button>
                </div>
              )}
              {searching && <p className="browser__scope" role="status">Searching {state.folder ? `everything inside ${folderName}` : 'the whole project'}.</p>}
              {assets.isPending ? <Loading label="Loading items…" /> : assets.isError ? <LoadError error={assets.error} retry={() => void assets.refetch()} /> : items.length === 0 ? (
                <p className="empty">{searching ? 'Nothing matches these filters.' : 'This collection is empty.'}</p>
              ) : (
                <AssetList projectId={projectId} items={items} layout={state.layout} statuses={statuses.data ?? []} folderHref={folderHref} folderId={state.folder || null}
                  label={searching ? 'Matching items' : `Contents of ${folderName}`}
                  selected={new Set(selected.keys())}
                  onSelect={(key, on) => setSelected((m) => {
                    const n = new Map(m);
                    const item = items.find((i) => itemKey(i) === key);
                    if (on && item) n.set(key, item);
                    else n.delete(key);
                    return n;
                  })}
                  onSelectAll={(on) => setSelected(on ? new Map(items.map((i) => [itemKey(i), i])) : new Map())}
                  hasMore={!!assets.hasNextPage} loadMore={() => { if (!assets.isFetchingNextPage) void assets.fetchNextPage(); }} />
              )}
            </>
          )}
        </div>
      </div>
      {moving && (
        <MoveDialog projectId={projectId} count={picked.length} moving={pickedCollections} allowed={canMoveTo} onMove={move} onClose={() => setMoving(false)} />
      )}
    </section>
  );
}

function Breadcrumbs({ path, current, root, href }: { path: { id: string; name: string }[]; current: string | null; root: string; href(id: string): string }) {
  return (
    <nav className="crumbs" aria-label="Where you are">
      <ol>
        <li>{current === null ? <span aria-current="page">{root}</span> : <Link to={href('')}>{root}</Link>}</li>
        {path.map((p) => <li key={p.id}><Link to={href(p.id)}>{p.name}</Link></li>)}
        {current !== null && <li><span aria-current="page">{current}</span></li>}
      </ol>
    </nav>
  );
}
