// Where the CLI keeps the user's settings: BACKLOT_CONFIG_DIR when set (tests, several identities
// on one machine), else the platform's per-user config folder.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BACKLOT_CONFIG_DIR) return env.BACKLOT_CONFIG_DIR;
  if (process.platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Backlot');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Backlot');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'backlot');
}
