// The environment peer tools (git, git-lfs, restic, borg) run in for a benchmark: a private home
// folder (so the user's git config plays no part), non-interactive restic and borg settings, and a
// git identity, all under the benchmark's temp folder `base`.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bash, have } from './cli-peers.js';

export async function peerEnvironment(base: string, who: string): Promise<NodeJS.ProcessEnv> {
  const home = join(base, 'home');
  mkdirSync(home, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C',
    RESTIC_PASSWORD: 'bench', RESTIC_CACHE_DIR: join(base, 'restic-cache'),
    BORG_BASE_DIR: join(base, 'borg-home'), BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes', BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
  };
  if (have('git')) {
    await bash(`git config --global user.name "${who}" && git config --global user.email bench@backlot.test && git config --global init.defaultBranch main && git config --global advice.detachedHead false`, { env });
    if (have('git-lfs')) await bash('git lfs install --skip-repo >/dev/null', { env });
  }
  return env;
}
