// The wire contract every client shares with the server: operations and their schemas, the
// answers of the sync protocol, the views of production items, the error shape, and the answer
// types of the other routes. Pure and browser-safe.
export * from './fields.js';
export * from './ops/index.js';
export * from './views.js';
export * from './sync.js';
export * from './errors.js';
export * from './answers/index.js';
