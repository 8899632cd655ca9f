// Control requests: exclusive edit control of a task asked for, granted, declined, handed off.
import { Type } from 'typebox';
import { Id } from '../fields.js';
import { op } from './define.js';

export const CONTROL_OPS = {
  'control.request': op('control.request', { id: Type.Optional(Id), assetId: Id, message: Type.Optional(Type.String({ maxLength: 2000 })) }),
  'control.accept': op('control.accept', { requestId: Id }),
  'control.decline': op('control.decline', { requestId: Id }),
  'control.cancel': op('control.cancel', { requestId: Id }),
  'control.handoff': op('control.handoff', { assetId: Id, toUserId: Id }),
} as const;
