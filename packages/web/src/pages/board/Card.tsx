// One task on the board: name, type, assignee. Cards the caller may move have a handle (mouse:
// drag the card; keyboard: focus the handle, Space, arrows, Space); the others show why not.
import type { KeyboardEventHandler, PointerEventHandler } from 'react';
import { useDraggable } from '@dnd-kit/core';
import type { AssetCard } from '@backlot/api';

/** Height of a card's row in a column, gap included (the virtualised lists rely on it). */
export const CARD_ROW = 112;

/** An asset's file name: its name and extension (stored without the dot). */
export const fileName = (a: { name: string; extension: string | null }) => (a.extension ? `${a.name}.${a.extension}` : a.name);
export const cardTitle = (card: AssetCard) => fileName(card);
/** An asset's path from the project's top, where the answer carries its folder ("shots/sh010/anim.blend"). */
export const filePath = (a: { name: string; extension: string | null; folder?: string | null }) => (a.folder ? `${a.folder}/${fileName(a)}` : fileName(a));

/** The end of a folder path, which tells shots apart ("…/sq01/sh010"); the whole path is its tooltip. */
export const shortFolder = (folder: string): string => {
  const parts = folder.split('/');
  return parts.length > 2 ? `…/${parts.slice(-2).join('/')}` : folder;
};

interface CardProps {
  card: AssetCard;
  movable: boolean;
  canAssign: boolean;
  requested: boolean;
  onAssign(card: AssetCard): void;
}

export function Card({ card, movable, canAssign, requested, onAssign }: CardProps) {
  const { setNodeRef, setActivatorNodeRef, listeners, attributes, isDragging } = useDraggable({ id: card.id, data: { card }, disabled: !movable });
  const title = cardTitle(card);
  // The pointer starts a drag anywhere on the card; the keyboard, from the handle button.
  const on = listeners as { onPointerDown?: PointerEventHandler; onKeyDown?: KeyboardEventHandler } | undefined;
  return (
    <article ref={setNodeRef} className={`card${isDragging ? ' card--dragging' : ''}${movable ? ' card--movable' : ''}`} aria-label={title}
      onPointerDown={movable ? on?.onPointerDown : undefined} data-card-id={card.id}>
      <div className="card__top">
        <h3 className="card__name" title={title}>{title}</h3>
        {movable ? (
          <button type="button" ref={setActivatorNodeRef} className="card__handle" {...attributes} onKeyDown={on?.onKeyDown} aria-label={`Move ${title}`}>
            <span aria-hidden="true">⠿</span>
          </button>
        ) : (
          <span className="card__locked" title="You may not change this task's status">
            <LockIcon /><span className="visually-hidden">Status locked for you</span>
          </span>
        )}
      </div>
      <div className="card__meta">
        {card.folder && <span className="card__folder" title={card.folder}>{shortFolder(card.folder)}</span>}
        {card.type && <span className="chip">{card.type}</span>}
        {requested && <span className="chip chip--attention">Requested</span>}
      </div>
      <CardAssignee card={card} canAssign={canAssign} onAssign={onAssign} title={title} />
    </article>
  );
}

function CardAssignee({ card, canAssign, onAssign, title }: { card: AssetCard; canAssign: boolean; onAssign(card: AssetCard): void; title: string }) {
  const who = card.assigneeName ?? (card.assigneeId ? 'Someone' : 'Unassigned');
  const content = (
    <>
      <span className={`avatar${card.assigneeId ? '' : ' avatar--empty'}`} aria-hidden="true">{card.assigneeId ? initials(who) : '–'}</span>
      <span className="card__assignee-name">{who}</span>
    </>
  );
  if (!canAssign) return <p className="card__assignee">{content}</p>;
  return (
    <button type="button" className="card__assignee card__assignee--button" onClick={() => onAssign(card)} onPointerDown={(e) => e.stopPropagation()}>
      <span className="visually-hidden">Assignee of {title}: </span>{content}<span className="visually-hidden">. Change</span>
    </button>
  );
}

export function CardPreview({ card }: { card: AssetCard }) {
  return (
    <div className="card card--overlay" aria-hidden="true">
      <div className="card__top"><p className="card__name">{cardTitle(card)}</p></div>
      <div className="card__meta">{card.type && <span className="chip">{card.type}</span>}</div>
      <p className="card__assignee"><span className="card__assignee-name">{card.assigneeName ?? 'Unassigned'}</span></p>
    </div>
  );
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return ((parts[0]?.[0] ?? '') + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase() || '?';
}

function LockIcon() {
  return (
    <svg className="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      <path fill="currentColor" d="M5 7V5a3 3 0 0 1 6 0v2h.5A1.5 1.5 0 0 1 13 8.5v5a1.5 1.5 0 0 1-1.5 1.5h-7A1.5 1.5 0 0 1 3 13.5v-5A1.5 1.5 0 0 1 4.5 7zm1.5 0h3V5a1.5 1.5 0 0 0-3 0z" />
    </svg>
  );
}
