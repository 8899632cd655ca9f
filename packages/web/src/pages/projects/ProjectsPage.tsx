// A studio's projects as the caller may see them (owners and admins: all; members: theirs):
// open one, create one, rename, archive and unarchive, each offered only when allowed.
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { authorizeProject, authorizeStudio, nameProblem } from '@backlot/core';
import type { Me, ProjectEntry, StudioView } from '@backlot/api';
import { api } from '../../app/api.ts';
import { keys } from '../../app/query.ts';
import { useMe } from '../../app/session.ts';
import { rememberStudio, useStudios } from '../../app/studios.ts';
import { projectActor, studioActor } from '../../app/actor.ts';
import { messageOf } from '../../app/errors.ts';
import { useForm } from '../../app/use-form.ts';
import { Field, FormError, SubmitButton } from '../../ui/forms.tsx';
import { Loading, LoadError, useTitle } from '../../ui/page.tsx';

type Shown = 'active' | 'archived';

export function ProjectsPage() {
  const { studioId = '' } = useParams();
  const me = useMe().data!;
  const studios = useStudios();
  const studio = studios.data?.find((s) => s.id === studioId);
  const [shown, setShown] = useState<Shown>('active');
  const list = useQuery({ queryKey: keys.projects(studioId, shown), queryFn: async () => (await api.projects.list(studioId, { status: shown })).projects });
  useTitle(studio ? `${studio.name}: projects` : 'Projects');
  if (studio) rememberStudio(studio.id);
  const canCreate = authorizeStudio(studioActor(me, studio), 'studio.projects.create').allowed;

  return (
    <section className="page">
      <div className="page__head">
        <div>
          <p className="eyebrow">{studio?.name ?? 'Studio'}</p>
          <h1>Projects</h1>
        </div>
        <div className="segmented" role="group" aria-label="Which projects">
          {(['active', 'archived'] as const).map((s) => (
            <button key={s} type="button" className="segmented__item" aria-pressed={shown === s} onClick={() => setShown(s)}>
              {s === 'active' ? 'Active' : 'Archived'}
            </button>
          ))}
        </div>
      </div>
      {canCreate && shown === 'active' && <CreateProject studioId={studioId} />}
      {list.isPending ? <Loading /> : list.isError ? <LoadError error={list.error} retry={() => void list.refetch()} /> : (
        <ProjectTable projects={list.data} me={me} studio={studio} shown={shown} />
      )}
    </section>
  );
}

function CreateProject({ studioId }: { studioId: string }) {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const form = useForm(['name']);
  const submit = form.onSubmit(async () => {
    const problem = nameProblem(name);
    if (problem) return form.setProblem('name', `The name ${problem}.`);
    await api.projects.create(studioId, { name });
    setName('');
    await qc.invalidateQueries({ queryKey: ['projects', studioId] });
  });
  return (
    <form className="panel inline-form" onSubmit={submit} noValidate aria-label="Create a project">
      <Field label="New project" name="name" placeholder="Project name" value={name} onChange={(e) => setName(e.target.value)} error={form.errorFor('name')} />
      <SubmitButton busy={form.busy}>Create project</SubmitButton>
      <FormError>{form.formError}</FormError>
    </form>
  );
}

function ProjectTable({ projects, me, studio, shown }: { projects: ProjectEntry[]; me: Me; studio: StudioView | undefined; shown: Shown }) {
  // What the caller may do in each project (its permissions come with GET /projects/:id).
  const details = useQueries({ queries: projects.map((p) => ({ queryKey: keys.project(p.id), queryFn: () => api.projects.get(p.id) })) });
  if (projects.length === 0)
    return <p className="empty">{shown === 'active' ? 'No projects yet. Projects you are added to appear here.' : 'No archived projects.'}</p>;
  return (
    <table className="table">
      <caption className="visually-hidden">{shown === 'active' ? 'Active projects' : 'Archived projects'}</caption>
      <thead>
        <tr><th scope="col">Name</th><th scope="col">Last change</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
      </thead>
      <tbody>
        {projects.map((p, i) => {
          const detail = details[i]?.data;
          const actor = detail ? projectActor(me, studio, detail) : null;
          return (
            <ProjectRow key={p.id} project={p}
              canRename={!!actor && authorizeProject(actor, 'project.rename').allowed}
              canArchive={!!actor && authorizeProject(actor, 'project.archive').allowed} />
          );
        })}
      </tbody>
    </table>
  );
}

function ProjectRow({ project, canRename, canArchive }: { project: ProjectEntry; canRename: boolean; canArchive: boolean }) {
  const qc = useQueryClient();
  const [renaming, setRenaming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => Promise.all([qc.invalidateQueries({ queryKey: ['projects', project.studioId] }), qc.invalidateQueries({ queryKey: keys.project(project.id) })]);
  const archive = async () => {
    setBusy(true);
    setError(null);
    try {
      await (project.status === 'active' ? api.projects.archive(project.id) : api.projects.unarchive(project.id));
      await refresh();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <tr>
      <td>
        {renaming ? <RenameForm project={project} done={() => setRenaming(false)} refresh={refresh} /> : (
          <Link className="table__title" to={`/projects/${project.id}/board`}>{project.name}</Link>
        )}
        {error && <p className="field__error" role="alert">{error}</p>}
      </td>
      <td>{new Date(project.updatedAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}</td>
      <td className="table__actions">
        {canRename && !renaming && <button type="button" className="button button--small" onClick={() => setRenaming(true)} aria-label={`Rename ${project.name}`}>Rename</button>}
        {canArchive && (
          <button type="button" className="button button--small" disabled={busy} onClick={() => void archive()} aria-label={`${project.status === 'active' ? 'Archive' : 'Unarchive'} ${project.name}`}>
            {project.status === 'active' ? 'Archive' : 'Unarchive'}
          </button>
        )}
      </td>
    </tr>
  );
}

function RenameForm({ project, done, refresh }: { project: ProjectEntry; done: () => void; refresh: () => Promise<unknown> }) {
  const [name, setName] = useState(project.name);
  const form = useForm(['name']);
  const submit = form.onSubmit(async () => {
    const problem = nameProblem(name);
    if (problem) return form.setProblem('name', `The name ${problem}.`);
    await api.projects.rename(project.id, name);
    await refresh();
    done();
  });
  return (
    <form className="inline-form inline-form--tight" onSubmit={submit} noValidate>
      <Field label={`New name for ${project.name}`} name="name" value={name} onChange={(e) => setName(e.target.value)} error={form.errorFor('name') ?? form.formError} autoFocus />
      <SubmitButton busy={form.busy}>Save</SubmitButton>
      <button type="button" className="button button--quiet" onClick={done}>Cancel</button>
    </form>
  );
}
