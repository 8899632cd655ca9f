// The one place this package takes core's wire contract from: types only, so the api has no
// runtime dependency (core's views, sync answers, op types and the answers of every route).
export type * from '@backlot/core';
