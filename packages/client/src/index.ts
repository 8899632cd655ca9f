export { serveCommand } from './commands/serve.js';
export { adminCommand } from './commands/admin.js';
