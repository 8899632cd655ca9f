// The browser's tabs: Default, My Tasks, Assigned, Unassigned (they combine with the filters).
import type { BoardView } from '@backlot/api';

const TABS: { id: BoardView; label: string }[] = [
  { id: 'default', label: 'Default' },
  { id: 'my', label: 'My Tasks' },
  { id: 'assigned', label: 'Assigned' },
  { id: 'unassigned', label: 'Unassigned' },
];

export function Tabs({ tab, onChange }: { tab: BoardView; onChange(tab: BoardView): void }) {
  return (
    <div className="segmented" role="group" aria-label="View">
      {TABS.map((t) => (
        <button key={t.id} type="button" className="segmented__item" aria-pressed={tab === t.id} onClick={() => onChange(t.id)}>{t.label}</button>
      ))}
    </div>
  );
}
