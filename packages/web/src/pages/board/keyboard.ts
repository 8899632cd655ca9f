// Moving a card with the keyboard (dnd-kit's KeyboardSensor): Space or Enter picks the card up,
// Left and Right go to the neighbouring column, Space or Enter drops, Escape cancels. What
// happens is announced to screen readers in words.
import type { Announcements, KeyboardCoordinateGetter, ScreenReaderInstructions } from '@dnd-kit/core';
import type { AssetCard, BoardColumn } from '@backlot/api';
import { cardTitle } from './Card.tsx';

/** Jumps to the next column left or right, keeping the card's height on screen. */
export const columnCoordinates: KeyboardCoordinateGetter = (event, { context }) => {
  const step = event.code === 'ArrowRight' ? 1 : event.code === 'ArrowLeft' ? -1 : 0;
  if (!step) return undefined;
  event.preventDefault();
  const { active, over, collisionRect, droppableRects, droppableContainers } = context;
  if (!active || !collisionRect) return undefined;
  const columns = droppableContainers.getEnabled()
    .map((c) => ({ id: c.id, rect: droppableRects.get(c.id) }))
    .filter((c): c is { id: typeof c.id; rect: NonNullable<typeof c.rect> } => !!c.rect)
    .sort((a, b) => a.rect.left - b.rect.left);
  const from = over?.id ?? (active.data.current?.card as AssetCard | undefined)?.statusId ?? 'none';
  const index = columns.findIndex((c) => c.id === from);
  const target = columns[(index < 0 ? 0 : index) + step];
  if (!target) return undefined;
  return {
    x: target.rect.left + (target.rect.width - collisionRect.width) / 2,
    y: Math.min(Math.max(collisionRect.top, target.rect.top + 48), target.rect.top + target.rect.height - collisionRect.height),
  };
};

export const instructions: ScreenReaderInstructions = {
  draggable: 'To change the status of this task, press Space or Enter to pick it up, the Left and Right arrow keys to choose a column, then Space or Enter to drop it there, or Escape to cancel.',
};

export function announcements(columnName: (id: string | number | undefined) => string): Announcements {
  const name = (data: Record<string, unknown> | undefined) => {
    const card = data?.card as AssetCard | undefined;
    return card ? `“${cardTitle(card)}”` : 'The task';
  };
  return {
    onDragStart: ({ active }) => `Picked up ${name(active.data.current)}, in ${columnName(statusOf(active.data.current))}.`,
    onDragOver: ({ active, over }) => (over ? `${name(active.data.current)} is over ${columnName(over.id)}.` : `${name(active.data.current)} is not over a column.`),
    onDragEnd: ({ active, over }) => (over ? `${name(active.data.current)} dropped in ${columnName(over.id)}.` : `${name(active.data.current)} dropped outside the columns; nothing changed.`),
    onDragCancel: ({ active }) => `Moving ${name(active.data.current)} was cancelled; it stays in ${columnName(statusOf(active.data.current))}.`,
  };
}

const statusOf = (data: Record<string, unknown> | undefined) => (data?.card as AssetCard | undefined)?.statusId ?? 'none';

export const columnNameOf = (columns: BoardColumn[]) => (id: string | number | undefined) =>
  columns.find((c) => (c.status?.id ?? 'none') === id)?.status?.name ?? (id === 'none' ? 'No status' : 'a column');
