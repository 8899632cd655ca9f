// The SCIM resources Backlot understands, described once (RFC 7643 §7 attribute definitions): the
// same table answers `/Schemas`, checks what an IdP sends (unknown attributes and wrong types are
// refused, read-only ones ignored), and resolves the attribute paths of filters. Attribute names
// are case-insensitive (RFC 7643 §2.1); input comes back in their canonical spelling.
import { invalidSyntax, invalidValue, ScimError } from './errors.js';
import { SCHEMA } from './paths.js';

export type AttrType = 'string' | 'boolean' | 'complex' | 'reference' | 'dateTime';

export interface Attr {
  name: string;
  type: AttrType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'default';
  uniqueness: 'none' | 'server';
  subAttributes?: Attr[];
  referenceTypes?: string[];
}

type Opts = Partial<Omit<Attr, 'name' | 'type' | 'description'>>;
const attr = (name: string, type: AttrType, description: string, o: Opts = {}): Attr => ({
  name, type, description, multiValued: false, required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none', ...o,
});
const str = (name: string, description: string, o: Opts = {}) => attr(name, 'string', description, o);
const typedValues = (kind: string) => [
  str('value', `The ${kind}`), str('display', 'A name for display'), str('type', 'work, home, other, ...'),
  attr('primary', 'boolean', 'The primary value'),
];

const USER_ATTRS: Attr[] = [
  str('id', 'Backlot\'s account id', { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' }),
  str('externalId', 'The identity provider\'s id for the person', { caseExact: true }),
  str('userName', 'Unique name, usually the sign-in email; the account\'s email when no email is given', { required: true, uniqueness: 'server' }),
  attr('name', 'complex', 'The person\'s name', {
    subAttributes: ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'].map((n) => str(n, n)),
  }),
  str('displayName', 'The name shown in Backlot'),
  str('nickName', 'Casual name'),
  attr('profileUrl', 'reference', 'Profile page', { referenceTypes: ['external'] }),
  str('title', 'Job title'),
  str('userType', 'Relationship to the studio (Employee, Contractor, ...)'),
  str('preferredLanguage', 'Preferred language'),
  str('locale', 'Locale'),
  str('timezone', 'Time zone'),
  attr('active', 'boolean', 'false ends every session and token of the person in this studio at once and removes their project access'),
  attr('emails', 'complex', 'Email addresses; the primary (or first) one is the account\'s email', { multiValued: true, subAttributes: typedValues('email address') }),
  attr('phoneNumbers', 'complex', 'Phone numbers', { multiValued: true, subAttributes: typedValues('phone number') }),
  attr('addresses', 'complex', 'Postal addresses', {
    multiValued: true,
    subAttributes: [...['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country', 'type'].map((n) => str(n, n)), attr('primary', 'boolean', 'The primary address')],
  }),
  attr('groups', 'complex', 'Groups the person is in (set through Groups)', {
    multiValued: true, mutability: 'readOnly',
    subAttributes: [str('value', 'Group id', { mutability: 'readOnly', caseExact: true }), attr('$ref', 'reference', 'Group URI', { mutability: 'readOnly', referenceTypes: ['Group'] }), str('display', 'Group name', { mutability: 'readOnly' }), str('type', 'direct', { mutability: 'readOnly' })],
  }),
];

const ENTERPRISE_ATTRS: Attr[] = [
  ...['employeeNumber', 'costCenter', 'organization', 'division', 'department'].map((n) => str(n, n)),
  attr('manager', 'complex', 'The person\'s manager', {
    subAttributes: [str('value', 'Manager\'s id', { caseExact: true }), attr('$ref', 'reference', 'Manager URI', { referenceTypes: ['User'] }), str('displayName', 'Manager\'s name', { mutability: 'readOnly' })],
  }),
];

const GROUP_ATTRS: Attr[] = [
  str('id', 'Backlot\'s group id', { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' }),
  str('externalId', 'The identity provider\'s id for the group; group mappings may name it too', { caseExact: true }),
  str('displayName', 'The group\'s name, matched exactly against the studio\'s group mappings', { required: true, uniqueness: 'server' }),
  attr('members', 'complex', 'Members (users of this studio)', {
    multiValued: true,
    subAttributes: [str('value', 'User id', { caseExact: true, mutability: 'immutable' }), attr('$ref', 'reference', 'User URI', { mutability: 'immutable', referenceTypes: ['User'] }), str('display', 'Name', { mutability: 'readOnly' }), str('type', 'User', { mutability: 'immutable' })],
  }),
];

/** `meta` is common to every resource (RFC 7643 §3.1): read-only, filterable. */
const META: Attr = attr('meta', 'complex', 'Resource metadata', {
  mutability: 'readOnly',
  subAttributes: ['resourceType', 'location', 'version'].map((n) => str(n, n, { mutability: 'readOnly', caseExact: true }))
    .concat(['created', 'lastModified'].map((n) => attr(n, 'dateTime', n, { mutability: 'readOnly' }))),
});

export interface ResourceKind {
  name: 'User' | 'Group';
  endpoint: string;
  schema: string;
  attrs: Attr[];
  extensions: { schema: string; attrs: Attr[] }[];
}

export const USER: ResourceKind = { name: 'User', endpoint: '/Users', schema: SCHEMA.user, attrs: USER_ATTRS, extensions: [{ schema: SCHEMA.enterprise, attrs: ENTERPRISE_ATTRS }] };
export const GROUP: ResourceKind = { name: 'Group', endpoint: '/Groups', schema: SCHEMA.group, attrs: GROUP_ATTRS, extensions: [] };

// ---- discovery documents -------------------------------------------------------------------------

export function schemaDocuments(base: string) {
  const doc = (id: string, name: string, description: string, attributes: Attr[]) =>
    ({ schemas: [SCHEMA.schema], id, name, description, attributes, meta: { resourceType: 'Schema', location: `${base}/Schemas/${id}` } });
  return [
    doc(SCHEMA.user, 'User', 'A person with a seat in the studio', USER_ATTRS),
    doc(SCHEMA.enterprise, 'EnterpriseUser', 'Enterprise attributes (kept, not acted on)', ENTERPRISE_ATTRS),
    doc(SCHEMA.group, 'Group', 'An IdP group; the studio\'s group mappings turn it into studio and project roles', GROUP_ATTRS),
  ];
}

export function resourceTypeDocuments(base: string) {
  return [USER, GROUP].map((k) => ({
    schemas: [SCHEMA.resourceType], id: k.name, name: k.name, endpoint: k.endpoint, schema: k.schema,
    schemaExtensions: k.extensions.map((e) => ({ schema: e.schema, required: false })),
    meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/${k.name}` },
  }));
}

// ---- input ---------------------------------------------------------------------------------------

const MAX_STRING = 2048;
const MAX_VALUES = 100;
const find = (attrs: Attr[], key: string) => attrs.find((a) => a.name.toLowerCase() === key.toLowerCase());
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkValue(a: Attr, value: unknown, where: string, single = false): unknown {
  if (a.multiValued && !single) {
    if (!Array.isArray(value)) throw invalidValue(`${where} must be a list`);
    const max = a.name === 'members' ? 10_000 : MAX_VALUES;
    if (value.length > max) throw invalidValue(`${where} holds at most ${max} values`);
    return value.map((v, i) => checkValue(a, v, `${where}[${i}]`, true));
  }
  switch (a.type) {
    case 'complex': {
      if (!isObject(value)) throw invalidValue(`${where} must be an object`);
      return checkObject(a.subAttributes ?? [], value, where);
    }
    case 'boolean':
      // Entra ID has been seen sending "True"/"False" strings for booleans.
      if (value === 'True' || value === 'true') return true;
      if (value === 'False' || value === 'false') return false;
      if (typeof value !== 'boolean') throw invalidValue(`${where} must be true or false`);
      return value;
    default:
      if (typeof value !== 'string') throw invalidValue(`${where} must be a string`);
      if (value.length > MAX_STRING) throw invalidValue(`${where} is longer than ${MAX_STRING} characters`);
      if (value.includes('\u0000')) throw invalidValue(`${where} must not contain NUL characters`);
      return value;
  }
}

/** Checks an object's attributes against `attrs`; read-only ones are dropped, unknown ones refused. */
function checkObject(attrs: Attr[], input: Record<string, unknown>, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const a = find(attrs, key);
    if (!a) throw invalidSyntax(`unknown attribute "${where ? `${where}.` : ''}${key}"`);
    if (a.mutability === 'readOnly' || value === null || value === undefined) continue;
    out[a.name] = checkValue(a, value, where ? `${where}.${a.name}` : a.name);
  }
  return out;
}

/**
 * A resource as an IdP sends it (POST, PUT, or the result of a PATCH): `schemas` must name the
 * resource's schema, extensions must be declared ones, required attributes present.
 */
export function parseResource(kind: ResourceKind, body: unknown): Record<string, unknown> {
  if (!isObject(body)) throw invalidSyntax('the body must be a JSON object');
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.every((s) => typeof s === 'string') || !schemas.some((s) => s.toLowerCase() === kind.schema.toLowerCase()))
    throw invalidSyntax(`schemas must list ${kind.schema}`);
  const core: Record<string, unknown> = {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const lower = key.toLowerCase();
    if (lower === 'schemas' || lower === 'meta') continue;
    const ext = kind.extensions.find((e) => e.schema.toLowerCase() === lower);
    if (ext) {
      if (value === null) continue;
      if (!isObject(value)) throw invalidValue(`${ext.schema} must be an object`);
      out[ext.schema] = checkObject(ext.attrs, value, '');
      continue;
    }
    if (lower.startsWith('urn:')) throw invalidSyntax(`unknown schema extension "${key}"`);
    core[key] = value;
  }
  Object.assign(out, checkObject(kind.attrs, core, ''));
  for (const a of kind.attrs) if (a.required && (out[a.name] === undefined || out[a.name] === '')) throw invalidValue(`${a.name} is required`);
  return out;
}

// ---- attribute paths (filters) -------------------------------------------------------------------

/**
 * Resolves a filter's attribute path (`userName`, `name.givenName`, `emails.value`, `meta.created`,
 * `urn:…:enterprise:2.0:User:department`) to its canonical key path and definition, or refuses it.
 */
export function resolvePath(kind: ResourceKind, path: string, within?: Attr): { keys: string[]; attr: Attr } {
  const fail = () => new ScimError(400, `unknown attribute "${path}" in the filter`, 'invalidFilter');
  let attrs = within?.subAttributes ?? [...kind.attrs, META];
  let prefix: string[] = [];
  let rest = path;
  if (!within && path.toLowerCase().startsWith('urn:')) {
    const schema = [kind.schema, ...kind.extensions.map((e) => e.schema)].find((s) => path.toLowerCase().startsWith(`${s.toLowerCase()}:`));
    if (!schema) throw fail();
    rest = path.slice(schema.length + 1);
    const ext = kind.extensions.find((e) => e.schema === schema);
    if (ext) {
      attrs = ext.attrs;
      prefix = [ext.schema];
    }
  }
  const keys = [...prefix];
  let found: Attr | undefined;
  for (const part of rest.split('.')) {
    found = find(attrs, part);
    if (!found) throw fail();
    keys.push(found.name);
    attrs = found.subAttributes ?? [];
  }
  if (!found) throw fail();
  return { keys, attr: found };
}
