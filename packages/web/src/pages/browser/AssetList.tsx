// The browser's items as a list or a grid of previews, virtualised (only the rows in view are in
// the page, so a folder of thousands stays smooth); scrolling near the end asks for the next page.
// Every item can be selected with its checkbox; names open the asset page or the collection.
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { AssetCard, CollectionEntry, StatusView } from '@backlot/api';
import { Preview, StatusPill } from './Preview.tsx';
import { fileName, shortWhen, when } from './project-data.ts';
import type { Layout } from './browse-query.ts';

export type Item = { kind: 'collection'; entry: CollectionEntry } | { kind: 'asset'; card: AssetCard };
export const itemKey = (i: Item) => (i.kind === 'asset' ? `a:${i.card.id}` : `c:${i.entry.id}`);
export const itemName = (i: Item) => (i.kind === 'asset' ? fileName(i.card) : i.entry.name);

interface Props {
  projectId: string;
  items: Item[];
  layout: Layout;
  statuses: StatusView[];
  selected: ReadonlySet<string>;
  onSelect(key: string, on: boolean): void;
  onSelectAll(on: boolean): void;
  folderHref(id: string): string;
  /** The collection shown (null: the top level): a matching item further down names its folder. */
  folderId: string | null;
  hasMore: boolean;
  loadMore(): void;
  /** The list's accessible name. */
  label: string;
}

const LIST_ROW = 56;
const TILE_W = 208;
const TILE_ROW = 250;

export function AssetList(props: Props) {
  const { items, layout, selected, onSelectAll, label } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const width = useWidth(scrollRef);
  const perRow = layout === 'grid' ? Math.max(1, Math.floor((width - 16) / TILE_W)) : 1;
  const rows = Math.ceil(items.length / perRow);
  const virtual = useVirtualizer({
    count: rows,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => (layout === 'grid' ? TILE_ROW : LIST_ROW),
    overscan: 4,
  });
  useEffect(() => virtual.measure(), [layout, perRow]); // eslint-disable-line react-hooks/exhaustive-deps
  const shown = virtual.getVirtualItems();
  const last = shown.length ? shown[shown.length - 1].index : -1;
  useEffect(() => {
    if (props.hasMore && last >= rows - 3) props.loadMore();
  }, [props.hasMore, last, rows]); // eslint-disable-line react-hooks/exhaustive-deps

  const all = items.length > 0 && items.every((i) => selected.has(itemKey(i)));
  const some = !all && items.some((i) => selected.has(itemKey(i)));
  return (
    <div className={`items items--${layout}`}>
      <div className="items__head">
        <label className="check">
          <input type="checkbox" checked={all} ref={(el) => { if (el) el.indeterminate = some; }} onChange={(e) => onSelectAll(e.target.checked)} />
          <span className="visually-hidden">Select all {items.length} shown</span>
        </label>
        {layout === 'list' ? (
          <>
            <span className="items__col items__col--name" aria-hidden="true">Name</span>
            <span className="items__col" aria-hidden="true">Status</span>
            <span className="items__col" aria-hidden="true">Assignee</span>
            <span className="items__col" aria-hidden="true">Type</span>
            <span className="items__col items__col--when" aria-hidden="true">Updated</span>
          </>
        ) : <span className="items__col" aria-hidden="true">Select all</span>}
      </div>
      <div ref={scrollRef} className="items__scroll" tabIndex={-1}>
        <ul className="items__list" aria-label={label} style={{ height: virtual.getTotalSize() }}>
          {shown.map((row) => {
            const slice = items.slice(row.index * perRow, row.index * perRow + perRow);
            return slice.map((item, j) => (
              <li key={itemKey(item)} className="items__row" aria-setsize={items.length} aria-posinset={row.index * perRow + j + 1}
                style={{ transform: `translate(${j * TILE_W}px, ${row.start}px)` }}>
                {layout === 'list' ? <ListRow {...props} item={item} /> : <Tile {...props} item={item} />}
              </li>
            ));
          })}
        </ul>
        {props.hasMore && <p className="items__more" role="status">Loading more…</p>}
      </div>
    </div>
  );
}

function useWidth(ref: React.RefObject<HTMLElement | null>): number {
  const [w, setW] = useState(1000);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setW(el.clientWidth));
    ro.observe(el);
    setW(el.clientWidth);
    return () => ro.disconnect();
  }, [ref]);
  return w;
}

type RowProps = Props & { item: Item };

function SelectBox({ item, selected, onSelect }: RowProps) {
  const key = itemKey(item);
  return (
    <label className="check">
      <input type="checkbox" checked={selected.has(key)} onChange={(e) => onSelect(key, e.target.checked)} />
      <span className="visually-hidden">Select {itemName(item)}</span>
    </label>
  );
}

function NameLink({ item, projectId, folderHref }: RowProps) {
  if (item.kind === 'collection')
    return <Link className="items__name items__name--folder" to={folderHref(item.entry.id)}><span aria-hidden="true">▣ </span>{item.entry.name}</Link>;
  return <Link className="items__name" to={`/projects/${projectId}/assets/${item.card.id}`}>{fileName(item.card)}</Link>;
}

function statusOf(card: AssetCard, statuses: StatusView[]) {
  return card.statusId ? statuses.find((s) => s.id === card.statusId) ?? null : null;
}

function ListRow(p: RowProps) {
  const { item, projectId, statuses } = p;
  if (item.kind === 'collection') {
    const e = item.entry;
    return (
      <div className={`row${p.selected.has(itemKey(item)) ? ' row--selected' : ''}`}>
        <SelectBox {...p} />
        <span className="row__thumb row__thumb--folder" aria-hidden="true">▣</span>
        <span className="row__name"><NameLink {...p} /><span className="row__sub">{'nameOnly' in e ? 'Collection (partly visible)' : e.shared ? 'Shared collection' : 'Collection'}</span></span>
        <span className="row__cell" /><span className="row__cell">{'nameOnly' in e ? '' : e.assigneeName ?? ''}</span>
        <span className="row__cell">{'nameOnly' in e ? '' : e.type ?? ''}</span>
        <span className="row__cell row__cell--when">{'nameOnly' in e ? '' : <time dateTime={e.updatedAt} title={when(e.updatedAt)}>{shortWhen(e.updatedAt)}</time>}</span>
      </div>
    );
  }
  const c = item.card;
  const status = statusOf(c, statuses);
  return (
    <div className={`row${p.selected.has(itemKey(item)) ? ' row--selected' : ''}`}>
      <SelectBox {...p} />
      <Preview projectId={projectId} checkpointId={c.cover?.checkpointId} extension={c.extension} size="small" />
      <span className="row__name"><NameLink {...p} /><span className="row__sub">{c.kind === 'task' ? 'Task' : 'Resource'}{c.folder && c.collectionId !== p.folderId ? ` · in ${c.folder}` : ''}{c.tags.length ? ` · ${c.tags.join(', ')}` : ''}</span></span>
      <span className="row__cell">{status ? <StatusPill name={status.name} color={status.color} /> : c.kind === 'task' ? 'No status' : ''}</span>
      <span className="row__cell">{c.kind === 'task' ? c.assigneeName ?? (c.assigneeId ? 'Someone' : 'Unassigned') : ''}</span>
      <span className="row__cell">{c.type ?? ''}</span>
      <span className="row__cell row__cell--when"><time dateTime={c.updatedAt} title={when(c.updatedAt)}>{shortWhen(c.updatedAt)}</time></span>
    </div>
  );
}

function Tile(p: RowProps) {
  const { item, projectId, statuses } = p;
  const selectedCls = p.selected.has(itemKey(item)) ? ' tile--selected' : '';
  if (item.kind === 'collection') {
    return (
      <div className={`tile tile--folder${selectedCls}`}>
        <span className="preview preview--large preview--folder" aria-hidden="true">▣</span>
        <div className="tile__foot"><SelectBox {...p} /><NameLink {...p} /></div>
      </div>
    );
  }
  const c = item.card;
  const status = statusOf(c, statuses);
  return (
    <div className={`tile${selectedCls}`}>
      <Preview projectId={projectId} checkpointId={c.cover?.checkpointId} extension={c.extension} size="large" />
      <div className="tile__foot"><SelectBox {...p} /><NameLink {...p} /></div>
      <p className="tile__meta">{status ? <StatusPill name={status.name} color={status.color} /> : <span>{c.kind === 'task' ? 'No status' : 'Resource'}</span>}
        {c.kind === 'task' && <span className="tile__who">{c.assigneeName ?? 'Unassigned'}</span>}</p>
    </div>
  );
}
