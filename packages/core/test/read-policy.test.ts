import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canSeeMemberEmails, canSeeRemoval, parseDateTime, PermissionSet, type MemberView, type ProjectActor } from '../src/index.js';

const actor = (studioRole: ProjectActor['role'], permissions: string[] | null, assignedOnly = false): ProjectActor => ({
  userId: 'u1', role: studioRole, suspended: false,
  projectRole: permissions ? { id: 'r', fixed: false, permissions: PermissionSet.of(permissions), assignedOnly } : null,
});

/** A member view that sees exactly `visible` (or every asset / collection). */
function view(opts: { visible?: string[]; allAssets?: boolean; allCollections?: boolean }): MemberView {
  const seen = new Set(opts.visible ?? []);
  return { allAssets: !!opts.allAssets, allCollections: !!opts.allCollections, canSeeAsset: (id: string) => !!opts.allAssets || seen.has(id) } as unknown as MemberView;
}

describe('member emails', () => {
  it('are shown to studio owners and admins and to roles that are not assigned-only', () => {
    assert.equal(canSeeMemberEmails(actor('owner', null)), true);
    assert.equal(canSeeMemberEmails(actor('admin', null)), true);
    assert.equal(canSeeMemberEmails(actor('member', ['checkpoint.create'])), true);
  });

  it('are hidden from assigned-only roles, unless they manage members', () => {
    assert.equal(canSeeMemberEmails(actor('member', ['checkpoint.create', 'content.download'], true)), false);
    assert.equal(canSeeMemberEmails(actor('member', ['members.add'], true)), true);
    assert.equal(canSeeMemberEmails(actor('member', ['members.change_role'], true)), true);
    assert.equal(canSeeMemberEmails(actor('member', null)), false, 'no project role, no list');
  });
});

describe('removals in a sync diff', () => {
  it('of assets and collections reach only members who see every asset (collection)', () => {
    assert.equal(canSeeRemoval(view({ visible: ['a'] }), { entity: 'asset' }, true), false, 'a seen asset that goes arrives as a snapshot');
    assert.equal(canSeeRemoval(view({ allAssets: true }), { entity: 'asset' }, true), true);
    assert.equal(canSeeRemoval(view({ allAssets: true }), { entity: 'collection' }, true), false);
    assert.equal(canSeeRemoval(view({ allCollections: true }), { entity: 'collection' }, true), true);
  });

  it('of a dependency or checkpoint reach those who see its asset', () => {
    const v = view({ visible: ['seen'] });
    assert.equal(canSeeRemoval(v, { entity: 'dependency', assetId: 'seen' }, true), true);
    assert.equal(canSeeRemoval(v, { entity: 'dependency', assetId: 'hidden' }, true), false);
    assert.equal(canSeeRemoval(v, { entity: 'dependency' }, true), false, 'an old entry without its asset');
    assert.equal(canSeeRemoval(v, { entity: 'checkpoint', assetId: 'seen' }, true), true);
    assert.equal(canSeeRemoval(v, { entity: 'checkpoint', assetId: 'seen' }, false), false, 'not without checkpoint.view');
    assert.equal(canSeeRemoval(v, { entity: 'checkpoint', assetId: 'hidden' }, true), false);
    assert.equal(canSeeRemoval(view({ allAssets: true }), { entity: 'checkpoint', assetId: 'purged' }, true), true);
  });

  it('of project-wide things (statuses, members, roles) reach everyone', () => {
    for (const entity of ['status', 'member', 'role']) assert.equal(canSeeRemoval(view({}), { entity }, false), true);
  });
});

describe('parseDateTime', () => {
  it('reads ISO 8601 dates (UTC midnight) and date-times with a zone', () => {
    assert.equal(parseDateTime('2026-03-01'), Date.UTC(2026, 2, 1));
    assert.equal(parseDateTime('2026-03-01T09:30:00Z'), Date.UTC(2026, 2, 1, 9, 30));
    assert.equal(parseDateTime('2026-03-01T09:30Z'), Date.UTC(2026, 2, 1, 9, 30));
    assert.equal(parseDateTime('2026-03-01T09:30:00.123+01:00'), Date.UTC(2026, 2, 1, 8, 30, 0, 123));
    assert.equal(parseDateTime('2024-02-29'), Date.UTC(2024, 1, 29), 'a leap day');
  });

  it('refuses what Date.parse would bend into a date', () => {
    for (const bad of [`x' OR '1'='1`, '2026-02-30', '2025-02-29', '2026-13-01', '2026-03-01T24:00Z', '2026-03-01T09:60Z', '2026-03-01T09:30',
      '2026-03-01 09:30Z', 'March 1, 2026', '1', '', '+002026-03-01', '2026-3-1', '2026-03-01T09:30:00Z trailing'])
      assert.equal(parseDateTime(bad), null, bad);
  });
});
