// Task assignment (who holds the soft lock) and status changes.
import { Id, NullableId } from '../fields.js';
import { op } from './define.js';

export const TASK_OPS = {
  'task.assign': op('task.assign', { assetId: Id, assigneeId: NullableId }),
  'task.status': op('task.status', { assetId: Id, statusId: Id }),
} as const;
