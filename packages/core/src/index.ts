export * from './errors.js';
export * from './permissions.js';
export * from './roles.js';
export * from './policy.js';
export * from './validation.js';
