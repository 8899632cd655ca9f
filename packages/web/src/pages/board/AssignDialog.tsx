// Choosing a task's assignee: type a few letters, pick from the project's members (the list
// follows what is typed; arrows and Enter work, as in any combobox). People the caller may not
// hand the task to are not offered. From here a member can also ask the assignee for the task.
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { AssetCard, ProjectMember } from '@backlot/api';
import type { CardRules } from './can.ts';
import { cardTitle } from './Card.tsx';

interface Props {
  card: AssetCard;
  members: ProjectMember[];
  meId: string;
  rules: CardRules;
  onAssign(card: AssetCard, userId: string | null): Promise<void>;
  onRequest(card: AssetCard): Promise<void>;
  onClose(): void;
}

interface Option {
  id: string | null;
  label: string;
  detail: string;
}

export function AssignDialog({ card, members, meId, rules, onAssign, onRequest, onClose }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const listId = useId();
  const inputId = useId();
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const [busy, setBusy] = useState(false);
  const title = cardTitle(card);

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);

  const options = useMemo<Option[]>(() => {
    const q = text.trim().toLowerCase();
    const list: Option[] = [];
    if (card.assigneeId && rules.assign(card, null).allowed && (!q || 'unassigned'.includes(q))) list.push({ id: null, label: 'Unassigned', detail: 'Nobody holds the task' });
    for (const m of members) {
      if (m.userId === card.assigneeId || !rules.assign(card, m.userId).allowed) continue;
      if (q && !m.name.toLowerCase().includes(q) && !(m.email ?? '').toLowerCase().includes(q)) continue;
      list.push({ id: m.userId, label: m.userId === meId ? `${m.name} (you)` : m.name, detail: m.roleName });
    }
    return list.slice(0, 50);
  }, [text, members, card, rules, meId]);
  const activeIndex = Math.min(active, Math.max(0, options.length - 1));

  const choose = async (option: Option | undefined) => {
    if (!option || busy) return;
    setBusy(true);
    try {
      await onAssign(card, option.id);
    } finally {
      setBusy(false);
    }
  };
  const canRequest = !!card.assigneeId && card.assigneeId !== meId && rules.request(card).allowed;

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby={`${inputId}-title`} onClose={onClose}>
      <h2 id={`${inputId}-title`} className="dialog__title">Assign “{title}”</h2>
      <p className="dialog__sub">Now: {card.assigneeName ?? 'Unassigned'}</p>
      <label htmlFor={inputId}>Assign to</label>
      <input
        id={inputId}
        role="combobox"
        aria-expanded={options.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={options.length ? `${listId}-${activeIndex}` : undefined}
        autoComplete="off"
        placeholder="Type a name"
        value={text}
        onChange={(e) => { setText(e.target.value); setActive(0); }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') { e.preventDefault(); setActive((i) => Math.min(i + 1, options.length - 1)); }
          else if (e.key === 'ArrowUp') { e.preventDefault(); setActive((i) => Math.max(i - 1, 0)); }
          else if (e.key === 'Enter') { e.preventDefault(); void choose(options[activeIndex]); }
        }}
      />
      <ul id={listId} role="listbox" className="options" aria-label="Suggestions">
        {options.map((o, i) => (
          <li key={o.id ?? 'none'} id={`${listId}-${i}`} role="option" aria-selected={i === activeIndex} className="options__item"
            onMouseDown={(e) => e.preventDefault()} onClick={() => void choose(o)} onMouseEnter={() => setActive(i)}>
            <span className="options__label">{o.label}</span> <span className="options__detail">{o.detail}</span>
          </li>
        ))}
      </ul>
      {options.length === 0 && <p className="dialog__empty" role="status">{text ? `Nobody matching “${text}” can take this task.` : 'Nobody else can take this task.'}</p>}
      <div className="dialog__actions">
        {canRequest && (
          <button type="button" className="button" disabled={busy} onClick={() => { setBusy(true); void onRequest(card).finally(() => setBusy(false)); }}>
            Ask {card.assigneeName ?? 'the assignee'} for this task
          </button>
        )}
        <button type="button" className="button button--quiet" onClick={() => dialog.current?.close()}>Close</button>
      </div>
    </dialog>
  );
}
