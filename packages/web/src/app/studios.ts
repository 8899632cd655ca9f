// The caller's studios (the switcher) and the one they last worked in.
import { useQuery } from '@tanstack/react-query';
import { api } from './api.ts';
import { keys } from './query.ts';

const LAST_STUDIO = 'backlot.studio';

export function useStudios() {
  return useQuery({ queryKey: keys.studios, queryFn: async () => (await api.studios.list()).studios });
}

export function rememberStudio(id: string) {
  try {
    localStorage.setItem(LAST_STUDIO, id);
  } catch {
    // private mode: the first studio is fine
  }
}

export function lastStudio(): string | null {
  try {
    return localStorage.getItem(LAST_STUDIO);
  } catch {
    return null;
  }
}
