// The board as the page holds it: the server's columns (first pages, then more as a column is
// scrolled) and pure functions that change it for a move, a live change, or a new page. Cards
// are ordered by last change, newest first (the board's default sort), so a card that changed
// goes to the top of its column, exactly where the server would put it.
import type { AssetCard, AssetView, BoardColumn } from '@backlot/api';

export interface BoardData {
  columns: BoardColumn[];
  /** The project revision the server read this board at: live changes after it are not in it. */
  revision: number;
}

export const columnKey = (col: BoardColumn): string => col.status?.id ?? 'none';
export const statusKey = (statusId: string | null): string => statusId ?? 'none';

export function findCard(board: BoardData, id: string): { column: BoardColumn; index: number; card: AssetCard } | null {
  for (const column of board.columns) {
    const index = column.cards.findIndex((c) => c.id === id);
    if (index >= 0) return { column, index, card: column.cards[index] };
  }
  return null;
}

/** Without the card (its column's count one less). */
export function removeCard(board: BoardData, id: string): BoardData {
  const at = findCard(board, id);
  if (!at) return board;
  return {
    ...board,
    columns: board.columns.map((c) => (c === at.column ? { ...c, count: Math.max(0, c.count - 1), cards: c.cards.filter((x) => x.id !== id) } : c)),
  };
}

/** The card put in the column of its status, at `index` (default: the top). */
export function placeCard(board: BoardData, card: AssetCard, index = 0): BoardData {
  const key = statusKey(card.statusId);
  const without = removeCard(board, card.id);
  return {
    ...without,
    columns: without.columns.map((c) => {
      if (columnKey(c) !== key) return c;
      const cards = c.cards.slice();
      cards.splice(Math.min(index, cards.length), 0, card);
      return { ...c, count: c.count + 1, cards };
    }),
  };
}

/** A live change of an asset: updated in place of its old card, or gone when it is no task. */
export function applyAssetChange(board: BoardData, view: AssetView, nameOf: (userId: string | null) => string | null): BoardData {
  const existing = findCard(board, view.id)?.card;
  if (view.kind !== 'task') return removeCard(board, view.id);
  // A card moved to another collection loses its folder line until the board is read again.
  const folder = existing && existing.collectionId === view.collectionId ? existing.folder : null;
  const card: AssetCard = { latestCheckpoint: null, cover: null, ...existing, ...view, folder, assigneeName: nameOf(view.assigneeId) ?? existing?.assigneeName ?? null };
  return placeCard(board, card);
}

/** The next page of a column, appended (cards already shown, moved here meanwhile, kept once). */
export function appendPage(board: BoardData, key: string, page: BoardColumn | undefined): BoardData {
  if (!page) return board;
  return {
    ...board,
    columns: board.columns.map((c) => {
      if (columnKey(c) !== key) return c;
      const seen = new Set(c.cards.map((x) => x.id));
      return { ...c, cards: [...c.cards, ...page.cards.filter((x) => !seen.has(x.id))], nextCursor: page.nextCursor };
    }),
  };
}

/**
 * Recent live changes by revision, so a board the server read before some of them (and answered
 * after their events were applied to the older board) gets them again instead of undoing them.
 */
export class LiveJournal {
  private entries: { revision: number; apply: (b: BoardData) => BoardData }[] = [];

  /** Far more than can arrive while one board request is under way. */
  constructor(private readonly keep = 1000) {}

  record(revision: number, apply: (b: BoardData) => BoardData): void {
    this.entries.push({ revision, apply });
    if (this.entries.length > this.keep) this.entries.splice(0, this.entries.length - this.keep);
  }

  /** The board with every recorded change newer than it applied, in order. */
  replayOnto(board: BoardData): BoardData {
    return this.entries.filter((e) => e.revision > board.revision).reduce((b, e) => e.apply(b), board);
  }
}
