// Header links to the pages of the project in view (board, browser, audit log, settings) or,
// outside a project, the studio's audit log and settings; each shown only when the caller's permissions open it.
import { NavLink, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { authorizeProject, authorizeStudio } from '@backlot/core';
import { api } from '../app/api.ts';
import { keys } from '../app/query.ts';
import { useMe } from '../app/session.ts';
import { useStudios } from '../app/studios.ts';
import { projectActor, studioActor } from '../app/actor.ts';
import './project-nav.css';

export function ProjectNav({ studioId }: { studioId: string }) {
  const { projectId } = useParams();
  const me = useMe().data;
  const studio = useStudios().data?.find((s) => s.id === studioId);
  const project = useQuery({ queryKey: keys.project(projectId ?? ''), queryFn: () => api.projects.get(projectId!), enabled: !!projectId });
  if (!me) return null;
  if (!projectId) {
    if (!studio) return null;
    return (
      <nav aria-label="Studio pages">
        {authorizeStudio(studioActor(me, studio), 'studio.audit.view').allowed && <NavLink className="header__link" to={`/studios/${studioId}/audit`}>Audit log</NavLink>}
        <NavLink className="header__link" to={`/studios/${studioId}/settings`}>Settings</NavLink>
      </nav>
    );
  }
  if (!project.data) return null;
  const actor = projectActor(me, studio, project.data);
  const p = `/projects/${projectId}`;
  return (
    <nav aria-label={`Project ${project.data.name}`} className="header__project">
      <span className="header__project-name" aria-hidden="true">{project.data.name}</span>
      <NavLink className="header__link" to={`${p}/board`}>Board</NavLink>
      <NavLink className="header__link" to={`${p}/browse`}>Browser</NavLink>
      {authorizeProject(actor, 'audit.view').allowed && <NavLink className="header__link" to={`${p}/audit`}>Audit log</NavLink>}
      <NavLink className="header__link" to={`${p}/settings`}>Settings</NavLink>
    </nav>
  );
}
