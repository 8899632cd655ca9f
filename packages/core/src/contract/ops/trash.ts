// The trash: restore an item to its old place, or purge it for good.
import { Id } from '../fields.js';
import { op } from './define.js';

export const TRASH_OPS = {
  'trash.restore': op('trash.restore', { id: Id }),
  'trash.purge': op('trash.purge', { id: Id }),
} as const;
