// Projects of a studio.
import type { ProjectDetail, ProjectEntry, ProjectList, ProjectView, RolePreset } from './contract.js';
import { ROUTES } from './routes.js';
import type { Transport } from './transport.js';

export function projectsApi(t: Transport) {
  return {
    /** GET /studios/:studioId/projects (default: active ones). */
    list: (studioId: string, query: { status?: 'active' | 'archived' | 'all' } = {}): Promise<ProjectList> =>
      t.json(ROUTES['projects.list'], { studioId }, { query }),
    /** POST /studios/:studioId/projects: the caller becomes its first Admin. */
    create: (studioId: string, body: { name: string; preset?: RolePreset }): Promise<ProjectEntry> =>
      t.json(ROUTES['projects.create'], { studioId }, { json: body }),
    /** GET /projects/:projectId: with the caller's role and permissions there. */
    get: (projectId: string): Promise<ProjectDetail> => t.json(ROUTES['projects.get'], { projectId }),
    rename: (projectId: string, name: string): Promise<ProjectView> => t.json(ROUTES['projects.rename'], { projectId }, { json: { name } }),
    /** POST /projects/:projectId/archive: read-only until unarchived. */
    archive: (projectId: string): Promise<ProjectView> => t.json(ROUTES['projects.archive'], { projectId }),
    unarchive: (projectId: string): Promise<ProjectView> => t.json(ROUTES['projects.unarchive'], { projectId }),
    delete: (projectId: string): Promise<void> => t.none(ROUTES['projects.delete'], { projectId }),
  };
}
