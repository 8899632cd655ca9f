// Server state lives in react-query's cache, under the keys below (one place, so pages that
// change something know what to refresh). Refusals are not retried: asking again changes nothing.
import { QueryClient, type InvalidateOptions, type InvalidateQueryFilters, type QueryKey } from '@tanstack/react-query';
import { ApiError } from '@backlot/api';

/**
 * Invalidating after a change must show the change. react-query cancels a running refetch of a
 * query that has data, but a first load still in flight is reused as it is, and its answer may
 * predate the change (a token made while the token list was loading stayed out of the list).
 * Such loads are cancelled first, so the refetch asks again.
 */
class ChangeAwareQueryClient extends QueryClient {
  override async invalidateQueries<TTaggedQueryKey extends QueryKey = QueryKey>(filters?: InvalidateQueryFilters<TTaggedQueryKey>, options?: InvalidateOptions): Promise<void> {
    const firstLoads = this.getQueryCache().findAll(filters).filter((q) => q.state.data === undefined && q.state.fetchStatus === 'fetching');
    await Promise.all(firstLoads.map((q) => q.cancel({ revert: true })));
    return super.invalidateQueries(filters, options);
  }
}

export function createQueryClient(): QueryClient {
  return new ChangeAwareQueryClient({
    defaultOptions: {
      queries: {
        retry: (failures, err) => !(err instanceof ApiError && err.status < 500) && failures < 2,
        refetchOnWindowFocus: false,
        staleTime: 30_000,
      },
    },
  });
}

export const keys = {
  me: ['me'] as const,
  studios: ['studios'] as const,
  projects: (studioId: string, status: string) => ['projects', studioId, status] as const,
  project: (projectId: string) => ['project', projectId] as const,
  statuses: (projectId: string) => ['statuses', projectId] as const,
  members: (projectId: string) => ['members', projectId] as const,
  board: (projectId: string, filters: object) => ['board', projectId, filters] as const,
  boards: (projectId: string) => ['board', projectId] as const,
  requests: (projectId: string) => ['control-requests', projectId] as const,
  invitation: (token: string) => ['invitation', token] as const,
  // settings pages
  settings: (projectId: string) => ['settings', projectId] as const,
  roles: (projectId: string) => ['roles', projectId] as const,
  permissionCatalog: ['permission-catalog'] as const,
  studioMembers: (studioId: string) => ['studio-members', studioId] as const,
  invitations: (studioId: string) => ['invitations', studioId] as const,
  studioUsage: (studioId: string) => ['studio-usage', studioId] as const,
};
