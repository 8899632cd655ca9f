// A project's settings: collaborators, roles (the permission toggles), statuses, and the
// project's vocabularies (types and tags). Everyone in the project may look; what each person
// may change comes from core's policy and their permissions as the server reported them.
import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../app/api.ts';
import { keys } from '../../app/query.ts';
import { useMe } from '../../app/session.ts';
import { useStudios } from '../../app/studios.ts';
import { projectActor } from '../../app/actor.ts';
import { Loading, LoadError, useTitle } from '../../ui/page.tsx';
import { SettingsLayout } from '../../ui/SettingsLayout.tsx';
import { settingsRules } from './rules.ts';
import { Collaborators } from './Collaborators.tsx';
import { RolesEditor } from './RolesEditor.tsx';
import { Statuses } from './Statuses.tsx';
import { Vocabularies } from './Vocabularies.tsx';
import './project-settings.css';

const SECTIONS = [
  { key: 'collaborators', path: '', label: 'Collaborators' },
  { key: 'roles', path: '/roles', label: 'Roles' },
  { key: 'statuses', path: '/statuses', label: 'Statuses' },
  { key: 'types', path: '/types', label: 'Types and tags' },
] as const;

export function ProjectSettingsPage() {
  const { projectId = '', section = 'collaborators' } = useParams();
  const me = useMe().data!;
  const studios = useStudios();
  const project = useQuery({ queryKey: keys.project(projectId), queryFn: () => api.projects.get(projectId) });
  useTitle(project.data ? `${project.data.name}: settings` : 'Project settings');
  if (project.isPending || studios.isPending) return <section className="page"><Loading /></section>;
  if (project.isError) return <section className="page"><LoadError error={project.error} retry={() => void project.refetch()} /></section>;

  const p = project.data;
  const studio = studios.data?.find((s) => s.id === p.studioId);
  const actor = projectActor(me, studio, p);
  const archived = p.status === 'archived';
  const rules = settingsRules(actor, archived);
  const base = `/projects/${projectId}/settings`;
  const current = SECTIONS.find((s) => s.key === section);
  return (
    <SettingsLayout
      eyebrow={<><Link to={`/studios/${p.studioId}`}>Projects</Link> / <Link to={`/projects/${p.id}/board`}>{p.name}</Link></>}
      title="Project settings" navLabel="Project settings"
      sections={SECTIONS.map((s) => ({ to: base + s.path, label: s.label }))}>
      {archived && <p className="notice" role="status">This project is archived: its settings can be read, not changed.</p>}
      {!current ? <p className="notice notice--error" role="alert">There is no such settings page.</p>
        : current.key === 'collaborators' ? <Collaborators project={p} rules={rules} meId={me.id} />
        : current.key === 'roles' ? <RolesEditor projectId={p.id} rules={rules} />
        : current.key === 'statuses' ? <Statuses projectId={p.id} rules={rules} />
        : <Vocabularies projectId={p.id} rules={rules} />}
    </SettingsLayout>
  );
}
