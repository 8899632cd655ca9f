// Answer types of the HTTP routes, one file per area, read off what the server returns. Pure
// types: no runtime code. Routes that answer exactly a core view (views.ts) or a sync answer
// (sync.ts) use those.
export type * from './auth.js';
export type * from './studios.js';
export type * from './projects.js';
export type * from './members.js';
export type * from './roles.js';
export type * from './invitations.js';
export type * from './audit.js';
export type * from './production.js';
export type * from './browse.js';
export type * from './content.js';
export type * from './sync.js';
export type * from './identity.js';
