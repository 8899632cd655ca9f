// The audit log of a studio (owners and admins) or of a project (audit.view): newest first,
// filtered by actor, action, target and time range, paged, exported whole as JSON Lines or CSV,
// with the result of the studio's hash chain check. The server decides who may read it; a
// refusal is shown as such.
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { authorizeStudio } from '@backlot/core';
import type { AuditEntry } from '@backlot/api';
import { api } from '../../app/api.ts';
import { keys } from '../../app/query.ts';
import { useMe } from '../../app/session.ts';
import { useStudios } from '../../app/studios.ts';
import { studioActor } from '../../app/actor.ts';
import { isStatus, messageOf } from '../../app/errors.ts';
import { Loading, LoadError, useTitle } from '../../ui/page.tsx';
import { EMPTY, exportHref, filterOf, formFrom, paramsOf, type AuditForm, type Scope } from './audit-query.ts';
import './audit.css';

const PAGE = 50;

/** Actions the filter suggests (any other, or a prefix such as `task.*`, may be typed). */
const COMMON_ACTIONS = [
  'project.*', 'project.member.added', 'project.member.role_changed', 'role.updated', 'task.*', 'task.status_changed', 'task.assigned',
  'control.*', 'control.requested', 'asset.*', 'collection.*', 'checkpoint.*', 'share.*', 'trash.*', 'invitation.*', 'studio.*', 'auth.*', 'sync.op_refused',
];

export function StudioAuditPage() {
  const { studioId = '' } = useParams();
  const studios = useStudios();
  const studio = studios.data?.find((s) => s.id === studioId);
  const people = useQuery({ queryKey: ['studio-members', studioId], queryFn: async () => (await api.studioMembers.list(studioId)).members });
  useTitle(studio ? `${studio.name}: audit log` : 'Audit log');
  return (
    <AuditView scope={{ kind: 'studio', studioId }} studioId={studioId} title={studio?.name ?? 'Studio'}
      people={(people.data ?? []).map((m) => ({ id: m.userId, name: m.name }))} back={<Link to={`/studios/${studioId}`}>Projects</Link>} />
  );
}

export function ProjectAuditPage() {
  const { projectId = '' } = useParams();
  const project = useQuery({ queryKey: keys.project(projectId), queryFn: () => api.projects.get(projectId) });
  const people = useQuery({ queryKey: keys.members(projectId), queryFn: async () => (await api.projectMembers.list(projectId)).members });
  useTitle(project.data ? `${project.data.name}: audit log` : 'Audit log');
  if (project.isError) return <section className="page"><LoadError error={project.error} retry={() => void project.refetch()} /></section>;
  if (project.isPending) return <section className="page"><Loading /></section>;
  return (
    <AuditView scope={{ kind: 'project', projectId }} studioId={project.data.studioId} title={project.data.name}
      people={(people.data ?? []).map((m) => ({ id: m.userId, name: m.name }))}
      back={<><Link to={`/studios/${project.data.studioId}`}>Projects</Link> / <Link to={`/projects/${projectId}/board`}>{project.data.name}</Link></>} />
  );
}

interface ViewProps {
  scope: Scope;
  studioId: string;
  title: string;
  people: { id: string; name: string }[];
  back: React.ReactNode;
}

function AuditView({ scope, studioId, title, people, back }: ViewProps) {
  const [params, setParams] = useSearchParams();
  const applied = useMemo(() => formFrom(params), [params]);
  const filter = filterOf(applied);
  const log = useInfiniteQuery({
    queryKey: ['audit', scope, filter],
    queryFn: ({ pageParam }) => (scope.kind === 'studio'
      ? api.audit.studio(scope.studioId, { ...filter, cursor: pageParam, limit: PAGE })
      : api.audit.project(scope.projectId, { ...filter, cursor: pageParam, limit: PAGE })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    retry: false,
  });
  const nameOf = useMemo(() => {
    const m = new Map(people.map((p) => [p.id, p.name]));
    return (id: string | null) => (id === null ? 'Anonymous' : m.get(id) ?? `Former member (${id.slice(0, 8)})`);
  }, [people]);
  const entries = log.data?.pages.flatMap((p) => p.entries) ?? [];
  // A bad filter is the form's problem (shown next to it); anything else is a refusal of the log.
  const badFilter = log.isError && isStatus(log.error, 400);
  const refused = log.isError && !badFilter;

  return (
    <section className="page page--audit">
      <div className="page__head">
        <div>
          <p className="eyebrow">{back}</p>
          <h1>Audit log <span className="page__count">{scope.kind === 'studio' ? 'studio' : 'project'}: {title}</span></h1>
        </div>
        {!refused && <div className="audit__export" role="group" aria-label="Export">
          <a className="button" href={exportHref(scope, applied, 'jsonl')} download>Export JSON Lines</a>
          <a className="button" href={exportHref(scope, applied, 'csv')} download>Export CSV</a>
        </div>}
      </div>
      {refused ? <LoadError error={log.error} /> : <>
        <ChainCheck studioId={studioId} scope={scope} />
        <AuditFilters applied={applied} people={people} onApply={(f) => setParams(paramsOf(f))} error={badFilter ? messageOf(log.error) : null} />
      </>}
      {log.isPending ? <Loading label="Loading the log…" /> : log.isError ? null : entries.length === 0 ? (
        <p className="empty">No entries match these filters.</p>
      ) : (
        <>
          <table className="table audit__table">
            <caption className="visually-hidden">Audit entries, newest first</caption>
            <thead>
              <tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Details</th></tr>
            </thead>
            <tbody>{entries.map((e) => <Row key={e.seq} e={e} who={nameOf(e.actorId)} />)}</tbody>
          </table>
          <div className="audit__more">
            <p role="status">{entries.length} entr{entries.length === 1 ? 'y' : 'ies'} shown{log.hasNextPage ? '; older ones follow' : ', the whole log for these filters'}.</p>
            {log.hasNextPage && <button type="button" className="button" disabled={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>{log.isFetchingNextPage ? 'Loading…' : 'Show older entries'}</button>}
          </div>
        </>
      )}
    </section>
  );
}

function Row({ e, who }: { e: AuditEntry; who: string }) {
  const detail = e.before !== null || e.after !== null;
  return (
    <tr>
      <td className="audit__seq">{e.seq}</td>
      <td className="audit__when"><time dateTime={e.at}>{new Date(e.at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' })}</time></td>
      <td>{who}</td>
      <td><code className="audit__action">{e.action}</code></td>
      <td className="audit__target">{e.targetType ? <><span>{e.targetType}</span> <code title={e.targetId ?? ''}>{e.targetId ? e.targetId.slice(0, 8) : ''}</code></> : '—'}</td>
      <td>
        {detail ? (
          <details className="audit__details">
            <summary>Before / after<span className="visually-hidden"> of entry {e.seq}</span></summary>
            <pre>{JSON.stringify({ before: e.before, after: e.after }, null, 2)}</pre>
          </details>
        ) : <span className="audit__none">—</span>}
      </td>
    </tr>
  );
}

function AuditFilters({ applied, people, onApply, error }: { applied: AuditForm; people: { id: string; name: string }[]; onApply(f: AuditForm): void; error: string | null }) {
  // Typed values stay in the form until applied, and after a refusal.
  const [f, setF] = useState(applied);
  useEffect(() => setF(applied), [applied]);
  const id = useId();
  const set = (k: keyof AuditForm) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(f);
  };
  const any = Object.values(applied).some(Boolean);
  return (
    <form className="filters audit__filters panel" role="search" aria-label="Filter the audit log" onSubmit={submit}>
      <div className="filters__field">
        <label htmlFor={`${id}-actor`}>Actor</label>
        <select id={`${id}-actor`} value={f.actor} onChange={set('actor')}>
          <option value="">Anyone</option>
          {people.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
        </select>
      </div>
      <div className="filters__field">
        <label htmlFor={`${id}-action`}>Action</label>
        <input id={`${id}-action`} list={`${id}-actions`} value={f.action} onChange={set('action')} placeholder="e.g. task.* " maxLength={100} />
        <datalist id={`${id}-actions`}>{COMMON_ACTIONS.map((a) => <option key={a} value={a} />)}</datalist>
      </div>
      <div className="filters__field">
        <label htmlFor={`${id}-tt`}>Target type</label>
        <input id={`${id}-tt`} value={f.targetType} onChange={set('targetType')} placeholder="asset" maxLength={50} />
      </div>
      <div className="filters__field">
        <label htmlFor={`${id}-tid`}>Target id</label>
        <input id={`${id}-tid`} value={f.targetId} onChange={set('targetId')} maxLength={200} />
      </div>
      <div className="filters__field filters__field--date">
        <label htmlFor={`${id}-from`}>From</label>
        <input id={`${id}-from`} type="date" value={f.from} onChange={set('from')} />
      </div>
      <div className="filters__field filters__field--date">
        <label htmlFor={`${id}-to`}>Until (inclusive)</label>
        <input id={`${id}-to`} type="date" value={f.to} onChange={set('to')} />
      </div>
      <div className="audit__apply">
        <button type="submit" className="button button--primary">Apply</button>
        {any && <button type="button" className="button button--quiet" onClick={() => { setF(EMPTY); onApply(EMPTY); }}>Clear</button>}
      </div>
      {error && <p className="field__error audit__error" role="alert">{error}</p>}
    </form>
  );
}

/**
 * The studio's log is one hash chain (each entry seals the one before), project entries
 * included; the check walks it on the server. Only studio owners and admins may run it.
 */
function ChainCheck({ studioId, scope }: { studioId: string; scope: Scope }) {
  const me = useMe().data!;
  const studios = useStudios();
  const studio = studios.data?.find((s) => s.id === studioId);
  const allowed = !!studio && authorizeStudio(studioActor(me, studio), 'studio.audit.view').allowed;
  const check = useQuery({ queryKey: ['audit-verify', studioId], queryFn: () => api.audit.verifyStudio(studioId), enabled: allowed, staleTime: 0, retry: false });
  if (!allowed) {
    return scope.kind === 'project'
      ? <p className="chain chain--unknown">This log is part of the studio's tamper-evident chain; studio owners and admins can check it.</p>
      : null;
  }
  if (check.isPending) return <p className="chain chain--unknown" role="status">Checking the chain…</p>;
  if (check.isError) return <p className="chain chain--broken" role="alert">The chain could not be checked: {messageOf(check.error)}</p>;
  const r = check.data;
  return r.ok ? (
    <p className="chain chain--ok" role="status">
      <span aria-hidden="true">✔ </span><strong>Chain verified:</strong> all {r.entries.toLocaleString()} entries of the studio's log are intact{scope.kind === 'project' ? ' (this project’s included)' : ''}.
      <button type="button" className="button button--small button--quiet" onClick={() => void check.refetch()}>Check again</button>
    </p>
  ) : (
    <p className="chain chain--broken" role="alert">
      <span aria-hidden="true">✖ </span><strong>Chain broken</strong> at entry #{r.broken?.seq} ({r.broken?.reason.replace(/_/g, ' ')}): the log was changed outside Backlot after that point.
    </p>
  );
}
