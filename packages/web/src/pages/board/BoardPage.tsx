// The Kanban board, the producer's main page: a column per status with counts; drag a card to
// change its status (mouse or keyboard), pick assignees, filter, and see everyone else's changes
// and control requests live. What the caller may do comes from the server (their permissions,
// decided by core's policy); the server still decides every change, and a refusal puts the card back.
import { useCallback, useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery, useQueryClient, keepPreviousData } from '@tanstack/react-query';
import {
  DndContext, DragOverlay, KeyboardSensor, PointerSensor, rectIntersection, useSensor, useSensors, type DragEndEvent, type DragStartEvent,
} from '@dnd-kit/core';
import type { AssetCard, AssetView, PendingControlRequest, ProjectMember, PullAnswer, StatusView } from '@backlot/api';
import { api } from '../../app/api.ts';
import { keys } from '../../app/query.ts';
import { useMe } from '../../app/session.ts';
import { useUrlParams } from '../../app/url-state.ts';
import { useStudios } from '../../app/studios.ts';
import { projectActor } from '../../app/actor.ts';
import { isStatus, messageOf } from '../../app/errors.ts';
import { Loading, LoadError, NoticeBar, useTitle, type Notice } from '../../ui/page.tsx';
import { appendPage, applyAssetChange, columnKey, findCard, LiveJournal, placeCard, removeCard, type BoardData } from './board-cache.ts';
import { filterQuery, filtersFrom, isFiltered, putFilters, type TaskFilters } from '../../filters/task-filters.ts';
import { cardRules, type CardRules } from './can.ts';
import { useLiveEvents, type LiveState } from '../../app/live.ts';
import { LiveBanner } from '../../ui/LiveBanner.tsx';
import { Card, CardPreview, cardTitle, filePath } from './Card.tsx';
import { Column } from './Column.tsx';
import { FilterBar } from '../../filters/FilterBar.tsx';
import { AssignDialog } from './AssignDialog.tsx';
import { ControlRequests } from './ControlRequests.tsx';
import { announcements, columnCoordinates, columnNameOf, instructions } from './keyboard.ts';

/** Cards per column in the first answer: enough to fill the screen, small enough to come fast. */
const FIRST_PAGE = 40;
/** Cards per later page of a column. */
const NEXT_PAGE = 200;

export function BoardPage() {
  const { projectId = '' } = useParams();
  const [params, setParams] = useUrlParams();
  const filters = useMemo(() => filtersFrom(params), [params]);
  const qc = useQueryClient();
  const me = useMe().data!;
  const studios = useStudios();

  const project = useQuery({ queryKey: keys.project(projectId), queryFn: () => api.projects.get(projectId) });
  const statuses = useQuery({ queryKey: keys.statuses(projectId), queryFn: async () => (await api.browse.statuses(projectId)).statuses });
  const members = useQuery({ queryKey: keys.members(projectId), queryFn: async () => (await api.projectMembers.list(projectId)).members });
  const settings = useQuery({ queryKey: ['settings', projectId], queryFn: async () => (await api.browse.settings(projectId)).settings });
  const boardKey = keys.board(projectId, filters);
  const journal = useRef(new LiveJournal()).current;
  /** The revision of the live connection's snapshot: changes after it arrive as events. */
  const liveFrom = useRef(0);
  const board = useQuery({
    queryKey: boardKey,
    queryFn: async (): Promise<BoardData> => {
      // A board read before the snapshot would miss what changed in between (no event carries
      // it): ask again. Events after the board's own revision are replayed onto it.
      for (let attempt = 1; ; attempt++) {
        const answer = await api.browse.board(projectId, { ...filterQuery(filters), limit: FIRST_PAGE });
        if (answer.revision >= liveFrom.current || attempt === 3) return journal.replayOnto({ columns: answer.columns, revision: answer.revision });
      }
    },
    placeholderData: keepPreviousData,
    staleTime: Infinity, // kept current by live events
  });
  const requests = useQuery({
    queryKey: keys.requests(projectId),
    queryFn: async () => {
      const [toMe, mine] = await Promise.all([api.browse.controlRequests(projectId, { scope: 'to-me' }), api.browse.controlRequests(projectId, { scope: 'mine' })]);
      return { toMe: toMe.requests, mine: mine.requests };
    },
  });

  useTitle(project.data ? `${project.data.name}: board` : 'Board');
  const [notice, setNotice] = useState<Notice | null>(null);
  const [assigning, setAssigning] = useState<AssetCard | null>(null);
  const [dragging, setDragging] = useState<AssetCard | null>(null);
  const [answering, setAnswering] = useState<string | null>(null);
  const [online, setOnline] = useState<string[]>([]);

  const studio = studios.data?.find((s) => s.id === project.data?.studioId);
  const actor = project.data ? projectActor(me, studio, project.data) : null;
  const statusList = statuses.data ?? [];
  const rules = useMemo(() => cardRules(actor, statusList), [actor?.projectRole?.permissions, actor?.role, statusList]); // eslint-disable-line
  const memberName = useCallback((id: string | null) => (id ? members.data?.find((m) => m.userId === id)?.name ?? null : null), [members.data]);
  const requestedIds = useMemo(() => new Set(requests.data?.toMe.map((r) => r.asset.id)), [requests.data]);
  const setBoard = (update: (b: BoardData) => BoardData) => qc.setQueryData<BoardData>(boardKey, (b) => (b ? update(b) : b));
  /** A live change: applied now, and again to any board answer requested before it arrived. */
  const applyLive = (revision: number, update: (b: BoardData) => BoardData) => {
    journal.record(revision, update);
    setBoard(update);
  };

  // ---- live events
  const refilter = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const live = useLiveEvents(projectId, {
    onChanges: (pull: PullAnswer, { first, resumed }) => {
      if (pull.reset) {
        // A snapshot: the first message of a fresh connection, or the caller's visibility changed.
        liveFrom.current = pull.revision;
        const current = qc.getQueryData<BoardData>(boardKey);
        const boardIsOlder = current !== undefined && current.revision < pull.revision;
        if (!first || resumed || boardIsOlder) void qc.invalidateQueries({ queryKey: keys.boards(projectId) });
        if (!first || resumed) void invalidateProject();
        return;
      }
      let refresh = false;
      for (const change of pull.changes) {
        if (change.entity === 'asset') {
          if (change.change === 'remove') applyLive(change.revision, (b) => removeCard(b, change.id));
          else applyLive(change.revision, (b) => applyAssetChange(b, change.data as AssetView, memberName));
          refresh ||= isFiltered(filters);
        } else if (change.entity === 'control_request') {
          void qc.invalidateQueries({ queryKey: keys.requests(projectId) });
        } else if (change.entity === 'status' || change.entity === 'settings' || change.entity === 'member' || change.entity === 'role') {
          void invalidateProject();
          refresh = true;
        }
      }
      // A changed card may no longer match the filters: ask the server again, once per burst.
      if (refresh) {
        clearTimeout(refilter.current);
        refilter.current = setTimeout(() => void qc.invalidateQueries({ queryKey: keys.boards(projectId) }), 300);
      }
    },
    onPresence: setOnline,
  });
  const invalidateProject = () => Promise.all([
    qc.invalidateQueries({ queryKey: keys.project(projectId) }),
    qc.invalidateQueries({ queryKey: keys.statuses(projectId) }),
    qc.invalidateQueries({ queryKey: keys.members(projectId) }),
    qc.invalidateQueries({ queryKey: keys.requests(projectId) }),
  ]);

  // ---- more cards as a column is scrolled
  const loading = useRef(new Set<string>());
  const loadMore = useCallback((key: string) => {
    const column = qc.getQueryData<BoardData>(boardKey)?.columns.find((c) => columnKey(c) === key);
    if (!column?.nextCursor || loading.current.has(key)) return;
    loading.current.add(key);
    api.browse.board(projectId, { ...filterQuery(filters), status: key, cursor: column.nextCursor, limit: NEXT_PAGE })
      .then((answer) => setBoard((b) => appendPage(b, key, answer.columns.find((c) => columnKey(c) === key))))
      .catch((err) => setNotice({ kind: 'error', text: `More cards could not be loaded: ${messageOf(err)}` }))
      .finally(() => loading.current.delete(key));
  }, [projectId, filters, boardKey]); // eslint-disable-line

  // ---- changes
  const move = async (card: AssetCard, to: StatusView) => {
    const at = findCard(qc.getQueryData<BoardData>(boardKey)!, card.id);
    const fromName = at?.column.status?.name ?? 'No status';
    setBoard((b) => placeCard(b, { ...card, statusId: to.id }));
    try {
      await api.production.setStatus(projectId, card.id, { statusId: to.id });
      setNotice(null);
    } catch (err) {
      // Back where it was, and why.
      setBoard((b) => placeCard(b, { ...(findCard(b, card.id)?.card ?? card), statusId: card.statusId }, at?.index ?? 0));
      setNotice({ kind: 'error', text: `“${cardTitle(card)}” could not be moved to ${to.name}: ${messageOf(err)} It is back in ${fromName}.` });
      if (isStatus(err, 403) || isStatus(err, 404)) void invalidateProject();
    }
  };
  const assign = async (card: AssetCard, userId: string | null) => {
    const at = findCard(qc.getQueryData<BoardData>(boardKey)!, card.id);
    setBoard((b) => placeCard(b, { ...card, assigneeId: userId, assigneeName: memberName(userId) }));
    try {
      await api.production.assignTask(projectId, card.id, { assigneeId: userId });
      setAssigning(null);
      setNotice({ kind: 'info', text: userId ? `“${cardTitle(card)}” is now assigned to ${memberName(userId) ?? 'them'}.` : `“${cardTitle(card)}” is now unassigned.` });
    } catch (err) {
      setBoard((b) => placeCard(b, { ...(findCard(b, card.id)?.card ?? card), assigneeId: card.assigneeId, assigneeName: card.assigneeName }, at?.index ?? 0));
      setNotice({ kind: 'error', text: `“${cardTitle(card)}” could not be reassigned: ${messageOf(err)}` });
    }
  };
  const requestControl = async (card: AssetCard) => {
    try {
      await api.production.requestControl(projectId, card.id, {});
      setAssigning(null);
      setNotice({ kind: 'info', text: `You asked ${card.assigneeName ?? 'the assignee'} for “${cardTitle(card)}”.` });
      void qc.invalidateQueries({ queryKey: keys.requests(projectId) });
    } catch (err) {
      setNotice({ kind: 'error', text: `The request for “${cardTitle(card)}” was not sent: ${messageOf(err)}` });
    }
  };
  const answer = async (r: PendingControlRequest, how: 'accept' | 'decline' | 'cancel') => {
    setAnswering(r.id);
    try {
      if (how === 'accept') await api.production.acceptControl(projectId, r.id);
      else if (how === 'decline') await api.production.declineControl(projectId, r.id);
      else await api.production.cancelControl(projectId, r.id);
      const what = filePath(r.asset);
      setNotice({ kind: 'info', text: how === 'accept' ? `“${what}” now belongs to ${r.requester.name ?? 'the requester'}.` : how === 'decline' ? `You kept “${what}”.` : `Your request for “${what}” is withdrawn.` });
    } catch (err) {
      setNotice({ kind: 'error', text: messageOf(err) });
    } finally {
      setAnswering(null);
      void qc.invalidateQueries({ queryKey: keys.requests(projectId) });
    }
  };

  // ---- drag and drop
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor, { coordinateGetter: columnCoordinates }),
  );
  const columns = board.data?.columns ?? [];
  const columnName = useMemo(() => columnNameOf(columns), [columns]);
  const onDragStart = (e: DragStartEvent) => setDragging((e.active.data.current?.card as AssetCard) ?? null);
  const onDragEnd = (e: DragEndEvent) => {
    setDragging(null);
    const card = e.active.data.current?.card as AssetCard | undefined;
    const toKey = e.over?.id;
    if (!card || !toKey || toKey === (card.statusId ?? 'none')) return;
    const to = statusList.find((s) => s.id === toKey) ?? null;
    const decision = rules.moveTo(card, to);
    if (!decision.allowed) return setNotice({ kind: 'error', text: `“${cardTitle(card)}” cannot go to ${columnName(toKey)}: ${messageOf(decision.error)}` });
    if (to) void move(card, to);
  };
  const setFilters = useCallback((next: Partial<TaskFilters>) => {
    setParams((p) => putFilters(new URLSearchParams(), { ...filtersFrom(p), ...next }), { replace: true });
  }, [setParams]);

  if (project.isError) return <section className="page"><LoadError error={project.error} retry={() => void project.refetch()} /></section>;
  if (project.isPending || statuses.isPending || board.isPending) return <section className="page"><Loading label="Loading the board…" /></section>;
  if (board.isError) return <section className="page"><LoadError error={board.error} retry={() => void board.refetch()} /></section>;

  const total = columns.reduce((n, c) => n + c.count, 0);
  return (
    <section className="page page--board">
      <div className="page__head">
        <div>
          <p className="eyebrow"><Link to={`/studios/${project.data.studioId}`}>Projects</Link> / {project.data.name}</p>
          <h1>Board <span className="page__count">{total} {total === 1 ? 'task' : 'tasks'}</span></h1>
        </div>
        <Presence online={online} meId={me.id} nameOf={memberName} />
      </div>
      <LiveBanner state={live} />
      {project.data.status === 'archived' && <p className="notice">This project is archived: it can be read, not changed.</p>}
      <FilterBar id="filter" label="Filter tasks" filters={filters} statuses={statusList} members={members.data ?? []} types={settings.data?.assetTypes ?? []} tags={settings.data?.tags ?? []} offerMe onChange={setFilters} />
      <ControlRequests toMe={requests.data?.toMe ?? []} mine={requests.data?.mine ?? []} busy={answering} onAnswer={(r, how) => void answer(r, how)} />
      <div className="board-notices" aria-live="polite">
        <NoticeBar notice={notice} onDismiss={() => setNotice(null)} />
      </div>
      <DndContext sensors={sensors} collisionDetection={rectIntersection} onDragStart={onDragStart} onDragEnd={onDragEnd} onDragCancel={() => setDragging(null)}
        accessibility={{ announcements: announcements(columnName), screenReaderInstructions: instructions }}>
        <div className="board" aria-busy={board.isFetching || undefined}>
          {columns.map((column) => (
            <Column key={columnKey(column)} column={column} loadMore={loadMore}
              dropState={!dragging ? 'none' : rules.moveTo(dragging, column.status).allowed || column.status?.id === dragging.statusId ? 'allowed' : 'blocked'}
              renderCard={(card) => (
                <Card card={card} movable={rules.canPickUp(card)} requested={requestedIds.has(card.id)}
                  canAssign={canOpenAssign(card, rules, me.id, members.data ?? [])} onAssign={setAssigning} />
              )} />
          ))}
        </div>
        <DragOverlay>{dragging ? <CardPreview card={dragging} /> : null}</DragOverlay>
      </DndContext>
      {assigning && (
        <AssignDialog card={assigning} members={members.data ?? []} meId={me.id} rules={rules}
          onAssign={assign} onRequest={requestControl} onClose={() => setAssigning(null)} />
      )}
    </section>
  );
}

/** The assignee can be changed (to a member, or to nobody), or the task asked for. */
function canOpenAssign(card: AssetCard, rules: CardRules, meId: string, members: ProjectMember[]): boolean {
  if (card.assigneeId && card.assigneeId !== meId && rules.request(card).allowed) return true;
  if (card.assigneeId && rules.assign(card, null).allowed) return true;
  return members.some((m) => m.userId !== card.assigneeId && rules.assign(card, m.userId).allowed);
}

function Presence({ online, meId, nameOf }: { online: string[]; meId: string; nameOf(id: string): string | null }) {
  const others = online.filter((id) => id !== meId);
  if (!others.length) return null;
  const names = others.map((id) => nameOf(id) ?? 'Someone');
  return <p className="presence" title={names.join(', ')}><span className="presence__dot" aria-hidden="true" />{others.length === 1 ? `${names[0]} is here too` : `${others.length} others are here`}</p>;
}
