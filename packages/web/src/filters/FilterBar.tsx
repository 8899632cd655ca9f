// One filter bar for the board and the browser: status, assignee (anyone, me, unassigned, a
// member), type, tag, extension and text, each with its label. Text fields wait for a pause in
// typing before asking the server.
import { useEffect, useState } from 'react';
import type { ProjectMember, StatusView } from '@backlot/api';
import { isFiltered, NO_FILTERS, type TaskFilters } from './task-filters.ts';

interface Props {
  /** Prefix of the fields' ids (two bars on one page must differ). */
  id: string;
  label: string;
  filters: TaskFilters;
  statuses: StatusView[];
  members: ProjectMember[];
  types: string[];
  tags: string[];
  /** Offer "Me" as an assignee (the browser has a My Tasks tab instead). */
  offerMe?: boolean;
  onChange(next: Partial<TaskFilters>): void;
}

function useDebounced(value: string, apply: (v: string) => void) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  useEffect(() => {
    if (draft === value) return;
    const t = setTimeout(() => apply(draft), 250);
    return () => clearTimeout(t);
  }, [draft, value, apply]);
  return [draft, setDraft] as const;
}

export function FilterBar({ id, label, filters, statuses, members, types, tags, offerMe, onChange }: Props) {
  const [text, setText] = useDebounced(filters.text, (v) => onChange({ text: v }));
  const [ext, setExt] = useDebounced(filters.extension, (v) => onChange({ extension: v }));
  const select = (key: keyof TaskFilters, title: string, all: string, options: { value: string; label: string }[], small = false) => (
    <div className={`filters__field${small ? ' filters__field--small' : ''}`}>
      <label htmlFor={`${id}-${key}`}>{title}</label>
      <select id={`${id}-${key}`} value={filters[key]} onChange={(e) => onChange({ [key]: e.target.value })}>
        <option value="">{all}</option>
        {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
    </div>
  );
  return (
    <form className="filters" role="search" aria-label={label} onSubmit={(e) => { e.preventDefault(); onChange({ text, extension: ext }); }}>
      <div className="filters__field filters__field--grow">
        <label htmlFor={`${id}-text`}>Search</label>
        <input id={`${id}-text`} type="search" placeholder="Name, type or tag" value={text} onChange={(e) => setText(e.target.value)} maxLength={200} />
      </div>
      {select('status', 'Status', 'All statuses', [...statuses.map((s) => ({ value: s.id, label: s.name })), { value: 'none', label: 'No status' }])}
      {select('assignee', 'Assignee', 'Anyone', [
        ...(offerMe ? [{ value: 'me', label: 'Me' }] : []),
        { value: 'unassigned', label: 'Unassigned' },
        ...members.map((m) => ({ value: m.userId, label: m.name })),
      ])}
      {select('type', 'Type', 'All types', types.map((t) => ({ value: t, label: t })), true)}
      {select('tag', 'Tag', 'All tags', tags.map((t) => ({ value: t, label: t })), true)}
      <div className="filters__field filters__field--small">
        <label htmlFor={`${id}-extension`}>Extension</label>
        <input id={`${id}-extension`} placeholder="blend" value={ext} onChange={(e) => setExt(e.target.value)} maxLength={33} />
      </div>
      {isFiltered(filters) && (
        <button type="button" className="button button--quiet filters__clear" onClick={() => { setText(''); setExt(''); onChange(NO_FILTERS); }}>Clear filters</button>
      )}
    </form>
  );
}
