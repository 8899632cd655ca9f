// PATCH (RFC 7644 §3.5.2) through `scim-patch`: the operations are applied to the resource as it
// is now, and the result goes through the same checks and the same replace as a PUT. So a PATCH
// can do nothing a PUT could not, and read-only attributes (id, meta, a user's groups) must come
// out unchanged.
import { patchBodyValidation, scimPatch, type ScimPatchOperation, type ScimResource } from 'scim-patch';
import { ScimError, type ScimType } from './errors.js';

const MAX_OPERATIONS = 1000;
const READ_ONLY = ['id', 'meta', 'groups'] as const;

function asScimError(err: unknown): ScimError {
  if (err instanceof ScimError) return err;
  const code = (err as { scimCode?: string })?.scimCode;
  const scimType: ScimType = code === 'noTarget' || code === 'invalidPath' || code === 'invalidValue' || code === 'invalidSyntax' ? code : 'invalidValue';
  return new ScimError(400, `the PATCH cannot be applied: ${(err as Error)?.message ?? String(err)}`, scimType);
}

export function applyPatch(current: Record<string, unknown>, body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ScimError(400, 'the body must be a JSON object', 'invalidSyntax');
  const ops = (body as { Operations?: unknown }).Operations;
  if (Array.isArray(ops) && ops.length > MAX_OPERATIONS) throw new ScimError(400, `a PATCH holds at most ${MAX_OPERATIONS} operations`, 'invalidValue');
  let patched: Record<string, unknown>;
  try {
    patchBodyValidation(body as Parameters<typeof patchBodyValidation>[0]);
    patched = scimPatch(structuredClone(current) as unknown as ScimResource, ops as ScimPatchOperation[], { mutateDocument: true, treatMissingAsAdd: true }) as unknown as Record<string, unknown>;
  } catch (err) {
    const e = asScimError(err);
    throw new ScimError(400, e.message, e.scimType === 'invalidSyntax' && /path/i.test(e.message) ? 'invalidPath' : e.scimType);
  }
  for (const key of READ_ONLY)
    if (JSON.stringify(current[key]) !== JSON.stringify(patched[key])) throw new ScimError(400, `${key} is read-only${key === 'groups' ? ': change group membership through /Groups' : ''}`, 'mutability');
  return patched;
}

/** Unknown attributes in a PATCH are a bad path, not a bad body. */
export function asPathError(err: unknown): unknown {
  return err instanceof ScimError && err.scimType === 'invalidSyntax' ? new ScimError(400, err.message, 'invalidPath') : err;
}
