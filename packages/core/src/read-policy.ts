// Who may read what beyond plain visibility: the trash (for those who can restore or purge from
// it) and checkpoint history. Visibility itself stays in project-view.ts; this decides only the
// permission part, so routes never look at roles.
import { forbidden } from './errors.js';
import { authorizeProject, type Decision, type ProjectActor } from './policy.js';

export type ReadAction = 'trash.view' | 'checkpoint.view';

export function authorizeRead(actor: ProjectActor, action: ReadAction): Decision {
  switch (action) {
    case 'trash.view': {
      const restore = authorizeProject(actor, 'trash.restore');
      if (restore.allowed) return restore;
      const purge = authorizeProject(actor, 'trash.purge');
      if (purge.allowed) return purge;
      // Outsiders keep their "not found"; members learn what they lack.
      return restore.error.code === 'not_found'
        ? restore
        : { allowed: false, error: forbidden('missing permission trash.restore or trash.purge', { permissions: ['trash.restore', 'trash.purge'] }) };
    }
    case 'checkpoint.view':
      return authorizeProject(actor, 'checkpoint.view');
  }
}

/** Permissions whose holders manage the member list, and so must know who is on it. */
const MEMBER_MANAGEMENT = ['members.add', 'members.remove', 'members.change_role'] as const;

/**
 * Whether member lists show this actor email addresses, or names only. Roles that work only on
 * what is assigned to them (Vendor: often another company) see names, unless they manage
 * members; studio owners and admins and every other role see emails.
 */
export function canSeeMemberEmails(actor: ProjectActor): boolean {
  if (actor.role === 'owner' || actor.role === 'admin') return true;
  const role = actor.projectRole;
  if (!role) return false;
  return !role.assignedOnly || MEMBER_MANAGEMENT.some((p) => role.permissions.has(p));
}
