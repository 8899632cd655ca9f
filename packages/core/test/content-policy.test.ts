import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkIsPresentFor, previewIsUsableBy, type MemberView } from '../src/index.js';

/** A member view that sees exactly `visible`. */
function viewSeeing(...visible: string[]): MemberView {
  const seen = new Set(visible);
  return { canSeeAsset: (id: string) => seen.has(id) } as unknown as MemberView;
}

describe('chunk presence (a hash is not a permission)', () => {
  it('counts a chunk the caller uploaded, or one listed by content they may download', () => {
    assert.equal(chunkIsPresentFor('u1', { uploadedBy: 'u1' }, false), true);
    assert.equal(chunkIsPresentFor('u1', { uploadedBy: 'u2' }, true), true);
  });

  it('does not count a chunk someone else uploaded that the caller cannot download', () => {
    assert.equal(chunkIsPresentFor('u1', { uploadedBy: 'u2' }, false), false);
    assert.equal(chunkIsPresentFor('u1', { uploadedBy: null }, false), false);
  });
});

describe('preview images', () => {
  it("may be the caller's own upload, or an image already shown on an asset they can see", () => {
    assert.equal(previewIsUsableBy('u1', { uploadedBy: 'u1' }, [], viewSeeing()), true);
    assert.equal(previewIsUsableBy('u1', { uploadedBy: 'u2' }, ['a-hidden', 'a-seen'], viewSeeing('a-seen')), true);
  });

  it("may not be someone else's image shown only where the caller cannot see", () => {
    assert.equal(previewIsUsableBy('u1', { uploadedBy: 'u2' }, ['a-hidden'], viewSeeing('a-seen')), false);
    assert.equal(previewIsUsableBy('u1', { uploadedBy: 'u2' }, [], viewSeeing('a-seen')), false);
  });
});
