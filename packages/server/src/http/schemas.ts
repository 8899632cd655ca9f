// Schema pieces shared by the routes. Bodies reject unknown fields, and every string has a length
// bound, so nothing unbounded reaches the services.
import { Type, type TSchema } from 'typebox';

import { Id } from '@backlot/core';

export { Id };
export const Email = Type.String({ minLength: 3, maxLength: 254 });
export const Name = Type.String({ minLength: 1, maxLength: 200 });
export const Password = Type.String({ minLength: 1, maxLength: 256 });
export const StudioRole = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')]);
export const SessionKind = Type.Union([Type.Literal('cookie'), Type.Literal('bearer')], { description: 'cookie for browsers, bearer for CLI/API' });

export const body = <T extends Record<string, TSchema>>(props: T) => Type.Object(props, { additionalProperties: false });

export const ErrorResponse = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Record(Type.String(), Type.Unknown()) }),
});

export const params = {
  studio: Type.Object({ studioId: Id }),
  project: Type.Object({ projectId: Id }),
  studioMember: Type.Object({ studioId: Id, userId: Id }),
  projectMember: Type.Object({ projectId: Id, userId: Id }),
  role: Type.Object({ projectId: Id, roleId: Id }),
  invitation: Type.Object({ studioId: Id, invitationId: Id }),
};
