// Moving the selected items: pick a collection in a tree (opened level by level, as beside the
// list) or the top level, then move. Each item is its own request; the server decides each, and
// the dialog says how many moved and why any did not.
import { useEffect, useRef, useState } from 'react';
import { CollectionTree } from './CollectionTree.tsx';

interface Props {
  projectId: string;
  count: number;
  /** Collections among the moved items: they cannot go into themselves. */
  moving: ReadonlySet<string>;
  /** May the selection go into this collection ('' = top level)? */
  allowed(to: string): boolean;
  onMove(to: string): Promise<void>;
  onClose(): void;
}

export function MoveDialog({ projectId, count, moving, allowed, onMove, onClose }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [target, setTarget] = useState<string | null>(null);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);
  const toggle = (id: string) => setExpanded((s) => {
    const n = new Set(s);
    if (!n.delete(id)) n.add(id);
    return n;
  });
  const ok = target !== null && allowed(target);
  const move = async () => {
    if (!ok) return;
    setBusy(true);
    try {
      await onMove(target);
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog ref={dialog} className="dialog dialog--wide" aria-labelledby="move-title" onClose={onClose}>
      <h2 id="move-title" className="dialog__title">Move {count === 1 ? 'one item' : `${count} items`}</h2>
      <p className="dialog__sub">Choose where to put {count === 1 ? 'it' : 'them'}.</p>
      <div className="move__tree">
        <CollectionTree projectId={projectId} label="Destination" rootLabel="Top level" selected={target ?? '\u0000'} expanded={expanded}
          onToggle={toggle} onSelect={setTarget} disabled={moving} />
      </div>
      {target !== null && !ok && <p className="field__error" role="alert">You may not move {count === 1 ? 'this item' : 'these items'} there.</p>}
      <div className="dialog__actions">
        <button type="button" className="button" onClick={() => dialog.current?.close()}>Cancel</button>
        <button type="button" className="button button--primary" disabled={!ok || busy} aria-busy={busy || undefined} onClick={() => void move()}>
          {busy ? 'Moving…' : 'Move here'}
        </button>
      </div>
    </dialog>
  );
}
