// What the browser and the asset page read about their project, shared through react-query's
// cache with the board (same keys): the project with the caller's permissions, statuses, members
// and settings. The caller's actor (for core's policy) is derived from the first.
import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { fillPath, ROUTES } from '@backlot/api';
import type { ProjectActor } from '@backlot/core';
import { api } from '../../app/api.ts';
import { keys } from '../../app/query.ts';
import { useMe } from '../../app/session.ts';
import { useStudios } from '../../app/studios.ts';
import { projectActor } from '../../app/actor.ts';

export const settingsKey = (projectId: string) => ['settings', projectId] as const;
/** The asset lists of the browser (any folder, any filter). */
export const listsKey = (projectId: string) => ['browse', projectId] as const;
/** The collection tree (children of one collection, '' for the top level). */
export const treeKey = (projectId: string, parentId?: string) => (parentId === undefined ? ['collections', projectId] as const : ['collections', projectId, parentId] as const);
export const assetKey = (projectId: string, assetId: string) => ['asset', projectId, assetId] as const;

export function useProjectData(projectId: string) {
  const me = useMe().data!;
  const studios = useStudios();
  const project = useQuery({ queryKey: keys.project(projectId), queryFn: () => api.projects.get(projectId) });
  const statuses = useQuery({ queryKey: keys.statuses(projectId), queryFn: async () => (await api.browse.statuses(projectId)).statuses });
  const members = useQuery({ queryKey: keys.members(projectId), queryFn: async () => (await api.projectMembers.list(projectId)).members });
  const settings = useQuery({ queryKey: settingsKey(projectId), queryFn: async () => (await api.browse.settings(projectId)).settings });
  const studio = studios.data?.find((s) => s.id === project.data?.studioId);
  const actor: ProjectActor | null = useMemo(() => (project.data ? projectActor(me, studio, project.data) : null), [me, studio, project.data]);
  return { me, project, statuses, members, settings, actor, studio };
}

/** The image URL of a checkpoint's preview (same origin: the session cookie goes with it). */
export const previewUrl = (projectId: string, checkpointId: string) =>
  fillPath(ROUTES['content.getPreview'].path, { projectId, checkpointId });

/** A checkpoint's file, downloaded by the browser itself (the server names and verifies it). */
export const downloadUrl = (projectId: string, checkpointId: string) =>
  fillPath(ROUTES['content.download'].path, { projectId, checkpointId });

export const fileName = (a: { name: string; extension: string | null }) => (a.extension ? `${a.name}.${a.extension}` : a.name);

export function when(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A short date for narrow columns: the time for today, else day and month (and year if not this one). */
export function shortWhen(iso: string): string {
  const d = new Date(iso);
  const now = new Date();
  if (d.toDateString() === now.toDateString()) return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', ...(d.getFullYear() !== now.getFullYear() && { year: 'numeric' }) });
}
