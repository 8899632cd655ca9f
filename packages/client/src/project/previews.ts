// Preview images given with `checkpoint --preview`: kept in .backlot/previews/ under their
// checkpoint's id until that checkpoint is on the server, then uploaded there (a preview is set on
// an existing checkpoint) and dropped here.
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { BacklotApi, PreviewType } from '@backlot/api';
import { getItem } from './items.js';
import { PROJECT_DIR, type ProjectDb } from './project-db.js';

const TYPES: Record<string, PreviewType> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp' };

export class PreviewError extends Error {}

const dirOf = (db: ProjectDb) => join(db.root, PROJECT_DIR, 'previews');

/** Checks the image's type by its name (the server checks its bytes again). */
export function previewTypeOf(file: string): PreviewType {
  const type = TYPES[extname(file).toLowerCase()];
  if (!type) throw new PreviewError(`${file}: a preview is a .png, .jpg or .webp image`);
  return type;
}

export async function keepPreview(db: ProjectDb, checkpointId: string, image: string): Promise<void> {
  previewTypeOf(image);
  await mkdir(dirOf(db), { recursive: true });
  await copyFile(image, join(dirOf(db), `${checkpointId}${extname(image).toLowerCase()}`));
}

/**
 * Uploads the kept previews of checkpoints the server has, and drops those of checkpoints that
 * are gone (refused); returns how many went.
 */
export async function uploadPreviews(api: BacklotApi, db: ProjectDb): Promise<number> {
  const names = await readdir(dirOf(db)).catch(() => [] as string[]);
  let sent = 0;
  for (const name of names) {
    const id = name.slice(0, name.length - extname(name).length);
    const cp = getItem(db, 'checkpoint', id);
    if (cp?.pending) continue; // not sent yet
    if (!cp) {
      await rm(join(dirOf(db), name), { force: true });
      continue;
    }
    await api.content.putPreview(db.meta().projectId, id, await readFile(join(dirOf(db), name)), previewTypeOf(name));
    await rm(join(dirOf(db), name), { force: true });
    sent++;
  }
  return sent;
}
