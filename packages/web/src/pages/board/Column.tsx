// A column of the board: one status, its count, and its cards in a virtualised list (only the
// cards in view are in the page, so thousands stay smooth). Scrolling near the end loads the
// column's next page. The whole column is a drop target.
import { useEffect, useId, useRef, type CSSProperties, type ReactNode } from 'react';
import { useDroppable } from '@dnd-kit/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { AssetCard, BoardColumn } from '@backlot/api';
import { columnKey } from './board-cache.ts';
import { CARD_ROW } from './Card.tsx';

interface ColumnProps {
  column: BoardColumn;
  /** While dragging: whether the dragged card may go here. */
  dropState: 'none' | 'allowed' | 'blocked';
  loadMore(key: string): void;
  renderCard(card: AssetCard): ReactNode;
}

export function Column({ column, dropState, loadMore, renderCard }: ColumnProps) {
  const key = columnKey(column);
  const headId = useId();
  const { setNodeRef, isOver } = useDroppable({ id: key, data: { column } });
  const scrollRef = useRef<HTMLDivElement>(null);
  const more = column.nextCursor !== null;
  const virtual = useVirtualizer({
    count: column.cards.length + (more ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => CARD_ROW,
    overscan: 6,
    getItemKey: (i) => column.cards[i]?.id ?? `more-${key}`,
  });
  const items = virtual.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1].index : -1;
  useEffect(() => {
    if (more && lastIndex >= column.cards.length - 1) loadMore(key);
  }, [more, lastIndex, column.cards.length, key, loadMore]);

  const name = column.status?.name ?? 'No status';
  // The project's own colour for the status (a CSS variable, set through the CSSOM).
  const colour = { '--status-colour': column.status?.color ?? '#8a94a6' } as CSSProperties;
  return (
    <section ref={setNodeRef} className={`column column--${dropState}${isOver ? ' column--over' : ''}`} aria-labelledby={headId} data-column={key}>
      <header className="column__head">
        <span className="column__dot" style={colour} aria-hidden="true" />
        <h2 id={headId} className="column__name">{name}</h2>
        <span className="column__count"><span className="visually-hidden">, </span>{column.count}<span className="visually-hidden"> {column.count === 1 ? 'task' : 'tasks'}</span></span>
      </header>
      <div ref={scrollRef} className="column__scroll">
        {column.count === 0 ? <p className="column__empty">No tasks</p> : (
          <ul className="column__list" aria-labelledby={headId} style={{ height: virtual.getTotalSize() }}>
            {items.map((item) => {
              const card = column.cards[item.index];
              return (
                <li key={item.key} className="column__item" aria-setsize={column.count} aria-posinset={item.index + 1} style={{ transform: `translateY(${item.start}px)` }}>
                  {card ? renderCard(card) : <p className="column__more" role="status">Loading more…</p>}
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </section>
  );
}
