// Task statuses. Every status has a category; the rules (approve, retake) look at the category,
// so projects can rename or add statuses without touching permissions.
export type StatusCategory = 'todo' | 'active' | 'review' | 'retake' | 'done';
export const STATUS_CATEGORIES: readonly StatusCategory[] = ['todo', 'active', 'review', 'retake', 'done'];

export interface StatusTemplate {
  key: string;
  name: string;
  shortLabel: string;
  color: string;
  category: StatusCategory;
}

export const BUILTIN_STATUSES: readonly StatusTemplate[] = [
  { key: 'todo', name: 'Todo', shortLabel: 'TODO', color: '#8a8f98', category: 'todo' },
  { key: 'wip', name: 'WIP', shortLabel: 'WIP', color: '#3b82f6', category: 'active' },
  { key: 'wfa', name: 'WFA', shortLabel: 'WFA', color: '#f59e0b', category: 'review' },
  { key: 'retake', name: 'Retake', shortLabel: 'RTK', color: '#ef4444', category: 'retake' },
  { key: 'done', name: 'Done', shortLabel: 'DONE', color: '#22c55e', category: 'done' },
];

export const DEFAULT_DEPENDENCY_TYPES = ['uses', 'references', 'based-on'] as const;
