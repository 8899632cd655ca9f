// The collection tree beside the list: each level is asked of the server when it is opened
// (expand in place), so a project with thousands of collections loads only what is looked at.
// Collections the caller sees only by name (parents of something visible) are shown in grey
// and can still be opened. Plain buttons in nested lists: Tab and Enter reach everything.
import { useQuery } from '@tanstack/react-query';
import type { CollectionEntry } from '@backlot/api';
import { api } from '../../app/api.ts';
import { treeKey } from './project-data.ts';

interface TreeProps {
  projectId: string;
  /** The chosen collection ('' = top level). */
  selected: string;
  expanded: ReadonlySet<string>;
  onToggle(id: string): void;
  onSelect(id: string): void;
  /** Label of the top entry. */
  rootLabel: string;
  /** Collections that may not be chosen (moving a collection into itself). */
  disabled?: ReadonlySet<string>;
  label: string;
}

export function CollectionTree({ projectId, selected, expanded, onToggle, onSelect, rootLabel, disabled, label }: TreeProps) {
  return (
    <nav className="tree" aria-label={label}>
      <button type="button" className="tree__name tree__name--root" aria-current={selected === '' ? 'true' : undefined} onClick={() => onSelect('')}>
        {rootLabel}
      </button>
      <Level projectId={projectId} parentId="" depth={0} selected={selected} expanded={expanded} onToggle={onToggle} onSelect={onSelect} disabled={disabled} />
    </nav>
  );
}

interface LevelProps extends Omit<TreeProps, 'rootLabel' | 'label'> {
  parentId: string;
  depth: number;
}

/** The children of one collection, fetched when it is first opened and kept in the cache. */
export function useChildren(projectId: string, parentId: string, enabled = true) {
  return useQuery({
    queryKey: treeKey(projectId, parentId),
    queryFn: async () => (await api.browse.collections(projectId, parentId ? { parentId } : {})).collections,
    enabled,
  });
}

function Level({ projectId, parentId, depth, ...rest }: LevelProps) {
  const children = useChildren(projectId, parentId);
  if (children.isPending) return <p className="tree__note" role="status">Loading…</p>;
  if (children.isError) return <p className="tree__note tree__note--error" role="alert">Could not load collections.</p>;
  if (!children.data.length) return depth === 0 ? <p className="tree__note">No collections yet.</p> : null;
  return (
    <ul className="tree__list">
      {children.data.map((c) => <Node key={c.id} projectId={projectId} entry={c} depth={depth} {...rest} />)}
    </ul>
  );
}

function Node({ projectId, entry, depth, selected, expanded, onToggle, onSelect, disabled }: Omit<LevelProps, 'parentId'> & { entry: CollectionEntry }) {
  const open = expanded.has(entry.id);
  const nameOnly = 'nameOnly' in entry;
  const blocked = disabled?.has(entry.id) ?? false;
  return (
    <li className="tree__item">
      <div className={`tree__row tree__row--d${Math.min(depth, 8)}`}>
        <button type="button" className="tree__toggle" aria-expanded={open && !blocked} disabled={blocked} onClick={() => onToggle(entry.id)}
          aria-label={`${open ? 'Collapse' : 'Expand'} ${entry.name}`}>
          <span aria-hidden="true">{open ? '▾' : '▸'}</span>
        </button>
        <button type="button" className={`tree__name${nameOnly ? ' tree__name--partial' : ''}`} aria-current={selected === entry.id ? 'true' : undefined}
          disabled={blocked} onClick={() => onSelect(entry.id)} title={nameOnly ? 'You see only some of what is inside' : undefined}>
          <span className="tree__icon" aria-hidden="true">▣</span>{entry.name}
          {!nameOnly && entry.shared && <span className="visually-hidden"> (shared)</span>}
        </button>
      </div>
      {open && !blocked && <Level projectId={projectId} parentId={entry.id} depth={depth + 1} selected={selected} expanded={expanded} onToggle={onToggle} onSelect={onSelect} disabled={disabled} />}
    </li>
  );
}
