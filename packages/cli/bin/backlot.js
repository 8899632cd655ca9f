#!/usr/bin/env node
// The `backlot` command. Sources are TypeScript, loaded through tsx's runtime hooks.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
