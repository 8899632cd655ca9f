// Who is signed in, from the server (GET /auth/me with the session cookie); nothing about the
// session is kept in the page. Signing in or out refreshes every query.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './api.ts';
import { keys } from './query.ts';
import { isStatus } from './errors.ts';

async function fetchMe() {
  try {
    return await api.auth.me();
  } catch (err) {
    if (isStatus(err, 401)) return null; // signed out is an answer, not an error
    throw err;
  }
}

export function useMe() {
  return useQuery({ queryKey: keys.me, queryFn: fetchMe, staleTime: 5 * 60_000 });
}

/** After signing in or out: everything cached belonged to the previous session. */
export function useSessionChanged() {
  const qc = useQueryClient();
  return async () => {
    qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
    // Fetched now (not just marked stale), so the next page sees who is signed in.
    await qc.fetchQuery({ queryKey: keys.me, queryFn: fetchMe, staleTime: 0 });
  };
}

/** The page to return to after signing in: only a path of this app, never another site. */
export function safeNext(raw: string | null): string {
  return raw && raw.startsWith('/') && !raw.startsWith('//') ? raw : '/';
}

/** A secret carried in the URL's fragment (`#token=...`), which never reaches server logs. */
export function tokenFromHash(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? '';
}
