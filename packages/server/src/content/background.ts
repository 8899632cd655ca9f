// Content work that runs after the request that caused it (collections after a purge, dropping
// records of chunks found missing): tracked per chunk backend, so a closing server (and a test)
// can wait for it before letting go of its stores.
const running = new WeakMap<object, Set<Promise<unknown>>>();
/** Backends whose server is closing: queued work that can wait for the next start does not begin. */
const stopping = new WeakSet<object>();

/** Registers background work on `backend`; it is forgotten once settled. */
export function track(backend: object, work: Promise<unknown>): void {
  let set = running.get(backend);
  if (!set) running.set(backend, (set = new Set()));
  set.add(work);
  void work.finally(() => set.delete(work)).catch(() => {});
}

/** Resolves when no background work on this backend is running. */
export async function backgroundIdle(backend: object): Promise<void> {
  for (;;) {
    const set = running.get(backend);
    if (!set || set.size === 0) return;
    await Promise.allSettled([...set]);
  }
}

/** Marks `backend`'s server as closing (work that resumes at start-up stops at its next step). */
export function stopBackground(backend: object): void {
  stopping.add(backend);
}

export function isStopping(backend: object): boolean {
  return stopping.has(backend);
}
