// Search answers (which ids, in which order, with which counts) memoised per member view. A
// MemberView belongs to one project revision (read-context.ts), so an answer kept with it can
// never outlive the data it was computed from: the next write makes a new view. Boards are read
// over and over between writes (every member's client, every refresh), and each recomputation
// walks the member's visible set. Cards are not kept: they are read fresh for every answer.
import type { MemberView } from '@backlot/core';

const memo = new WeakMap<MemberView, Map<string, Promise<unknown>>>();
/** Distinct queries kept per view; the oldest goes first. */
const MAX_PER_VIEW = 32;

export function memoised<T>(view: MemberView, key: string, compute: () => Promise<T>): Promise<T> {
  let answers = memo.get(view);
  if (!answers) memo.set(view, (answers = new Map()));
  const hit = answers.get(key);
  if (hit) return hit as Promise<T>;
  const pending = compute();
  if (answers.size >= MAX_PER_VIEW) answers.delete(answers.keys().next().value!);
  answers.set(key, pending);
  // A refused query (bad cursor, unknown status) is not an answer worth keeping.
  pending.catch(() => answers.delete(key));
  return pending;
}
