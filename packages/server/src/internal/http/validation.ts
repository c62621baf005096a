import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { ValidationError } from '../errors';
import { describeValue } from '../describe';

/**
 * Request validation with Ajv, from the same route JSON schemas that generate /openapi.json. Two instances:
 * bodies are never coerced ("50" is not a percentage), while query strings, path parameters and headers are
 * text by nature and coerced to the declared types (`?limit=20`). Unknown fields are errors, not silently
 * dropped (Fastify's default removes them). A failure becomes a ValidationError with the service's usual shape:
 * the field's JSON path (`$.definition.rules[0]`, `query.limit`) and the reason.
 */

// ajv-formats is CommonJS with `exports.default`; bundlers and Node's ESM loader disagree on which one they hand over.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as typeof addFormatsModule;

const COMMON: Options = {
  allErrors: false,
  verbose: true,
  useDefaults: false,
  removeAdditional: false,
  allowUnionTypes: true,
  strictTypes: false,
  addUsedSchema: false,
};

type HttpPart = 'body' | 'querystring' | 'params' | 'headers';

const PART_PREFIX: Record<Exclude<HttpPart, 'body'>, string> = { querystring: 'query', params: 'params', headers: 'headers' };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

const member = (base: string, key: string): string => (IDENTIFIER.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`);

/** JSON Pointer (`/rules/0/serve`) → the API's JSON path (`$.rules[0].serve`); array indexes found by walking the data. */
export function jsonPath(pointer: string, data: unknown, root = '$'): string {
  let path = root;
  let node = data;
  if (pointer === '') return path;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(node)) path += `[${segment}]`;
    else path = member(path, segment);
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return path;
}

const typeName = (type: unknown): string =>
  (Array.isArray(type) ? type : [type]).map((t) => (t === 'object' ? 'an object' : t === 'array' ? 'an array' : t === 'integer' ? 'an integer' : t === 'null' ? 'null' : `a ${String(t)}`)).join(' or ');

/** The reason of one Ajv error, in the service's words. */
function reason(error: ErrorObject, isRoot: boolean): string {
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
  const got = error.data !== undefined ? `, got ${describeValue(error.data)}` : '';
  switch (error.keyword) {
    case 'type': {
      const example = isRoot && Array.isArray(parent.examples) ? ` like ${JSON.stringify(parent.examples[0])}` : '';
      return `must be ${typeName(error.params.type)}${example}${got}`;
    }
    case 'required':
      return 'is required';
    case 'additionalProperties': {
      const allowed = Object.keys((parent.properties as object | undefined) ?? {});
      return allowed.length === 0 ? 'unknown field; this request takes none' : `unknown field; allowed: ${allowed.join(', ')}`;
    }
    case 'enum':
      return `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}${got}`;
    case 'const':
      return `must be ${JSON.stringify(error.params.allowedValue)}${got}`;
    case 'pattern':
      return `${typeof parent.description === 'string' ? parent.description : `must match ${String(error.params.pattern)}`}${got}`;
    case 'minLength':
    case 'maxLength':
      return `must be ${String(parent.minLength ?? 0)}–${String(parent.maxLength ?? '∞')} characters long`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be a number from ${String(parent.minimum ?? parent.exclusiveMinimum ?? '-∞')} to ${String(parent.maximum ?? parent.exclusiveMaximum ?? '∞')}${got}`;
    case 'format':
      return `must be ${String(error.params.format)}${got}`;
    default:
      return `${error.message ?? 'is invalid'}${got}`;
  }
}

/** The most useful of Ajv's errors: the deepest one that is not a combinator's summary. */
function pick(errors: readonly ErrorObject[]): ErrorObject {
  let best = errors[0]!;
  for (const error of errors) {
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') continue;
    if (best.keyword === 'anyOf' || best.keyword === 'oneOf' || error.instancePath.length > best.instancePath.length) best = error;
  }
  return best;
}

export function validationError(errors: readonly ErrorObject[], data: unknown, part: HttpPart): ValidationError {
  const error = pick(errors);
  let pointer = error.instancePath;
  if (error.keyword === 'required') pointer += `/${String(error.params.missingProperty).replaceAll('~', '~0').replaceAll('/', '~1')}`;
  if (error.keyword === 'additionalProperties') pointer += `/${String(error.params.additionalProperty).replaceAll('~', '~0').replaceAll('/', '~1')}`;
  const path = jsonPath(pointer, data, part === 'body' ? '$' : PART_PREFIX[part]);
  return ValidationError.at(path, reason(error, pointer === ''));
}

/**
 * Fastify's validator compiler factory (`schemaController.compilersFactory.buildValidator`). Fastify calls it for
 * every plugin context; the two Ajv instances are made once per app and the shared schemas (`app.addSchema`)
 * added to them once.
 */
export function validatorFactory(): (externalSchemas: Record<string, unknown> | undefined) => FastifySchemaCompiler<unknown> {
  const shared = new Map<string, object>();
  const instances = new Map<'body' | 'text', { ajv: Ajv; added: Set<string> }>();
  // Each Ajv is made on the first compile that needs it (it compiles its meta-schemas: memory an SDK-only
  // instance never needs), with every shared schema seen so far. (Not `ajv.getSchema(id)` to test for one: it
  // compiles the schema.)
  const ajvFor = (kind: 'body' | 'text'): Ajv => {
    let instance = instances.get(kind);
    if (!instance) instances.set(kind, (instance = { ajv: addFormats(new Ajv({ ...COMMON, coerceTypes: kind === 'body' ? false : 'array' })), added: new Set() }));
    for (const [id, schema] of shared) {
      if (instance.added.has(id)) continue;
      instance.ajv.addSchema(schema);
      instance.added.add(id);
    }
    return instance.ajv;
  };
  return (externalSchemas) => {
    for (const [id, schema] of Object.entries(externalSchemas ?? {})) shared.set((schema as { $id?: string }).$id ?? id, schema as object);
    return ({ schema, httpPart }) => {
      const part = (httpPart ?? 'body') as HttpPart;
      // Compiled on first use: an instance that only serves SDKs never pays for the admin API's validators (memory
      // and start time). Schema mistakes still fail loudly, on the first request of the route (every route is tested).
      let validate: ValidateFunction | undefined;
      // Returning `{ error }` hands Fastify our error instead of Ajv's list; the error handler maps it like any other.
      return (data: unknown) => {
        validate ??= ajvFor(part === 'body' ? 'body' : 'text').compile(schema as object);
        return validate(data) ? true : { error: validationError(validate.errors ?? [], data, part) };
      };
    };
  };
}
