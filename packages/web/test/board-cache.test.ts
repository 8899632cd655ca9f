// The board cache's live journal: a board the server read before a live change gets that change
// applied again, so a late answer never undoes what the page already showed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AssetCard, AssetView } from '@backlot/api';
import { applyAssetChange, columnKey, LiveJournal, removeCard, type BoardData } from '../src/pages/board/board-cache.ts';

const view = (id: string, statusId: string): AssetView => ({
  id, collectionId: null, name: id, extension: 'blend', kind: 'task', type: null, tags: [], description: null, url: null,
  assigneeId: null, statusId, coverCheckpointId: null, createdAt: '', createdBy: 'u', updatedAt: '', createdRev: 1,
});
const card = (id: string, statusId: string): AssetCard => ({ ...view(id, statusId), assigneeName: null, folder: null, latestCheckpoint: null, cover: null });
const status = (id: string) => ({ id, name: id, key: id, color: '#888', category: 'active', position: 0 }) as never;
/** A board as the server would answer it, read at a revision when Owl was still in To do. */
const staleAnswer = (revision: number): BoardData => ({
  revision,
  columns: [
    { status: status('todo'), count: 2, cards: [card('Owl', 'todo'), card('Fox', 'todo')], nextCursor: null },
    { status: status('wip'), count: 0, cards: [], nextCursor: null },
  ],
});
const where = (b: BoardData, id: string) => b.columns.find((c) => c.cards.some((x) => x.id === id)) ?? null;

describe('board cache: live journal', () => {
  it('applies the changes newer than the board, in order', () => {
    const journal = new LiveJournal();
    journal.record(9, (b) => applyAssetChange(b, view('Owl', 'done'), () => null));
    journal.record(11, (b) => applyAssetChange(b, view('Owl', 'wip'), () => null));
    journal.record(12, (b) => removeCard(b, 'Fox'));
    const board = journal.replayOnto(staleAnswer(10));
    assert.equal(columnKey(where(board, 'Owl')!), 'wip');
    assert.equal(where(board, 'Fox'), null);
    assert.deepEqual(board.columns.map((c) => c.count), [0, 1]);
  });

  it('leaves a board read after the changes as the server sent it', () => {
    const journal = new LiveJournal();
    journal.record(11, (b) => applyAssetChange(b, view('Owl', 'wip'), () => null));
    const answer = staleAnswer(11);
    assert.equal(journal.replayOnto(answer), answer);
  });

  it('keeps only the most recent changes', () => {
    const journal = new LiveJournal(1);
    journal.record(5, (b) => removeCard(b, 'Fox'));
    journal.record(6, (b) => b);
    assert.equal(columnKey(where(journal.replayOnto(staleAnswer(0)), 'Fox')!), 'todo');
  });
});
