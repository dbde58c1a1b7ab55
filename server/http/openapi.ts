import { idPattern } from '../../engine/facts/index.js';
import type { RouteDefinition } from './route.js';
import { errorSchema, namedSchemas } from './response-schemas.js';

type ResponseSpec = RouteDefinition['responses'][number];

/** OpenAPI 3.1 from the route table: every route, its role, typed parameters, body schema and every answer's schema. */
export function openApiDocument(routes: readonly RouteDefinition[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const pathNames = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
    const pathParams = pathNames.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string', pattern: idPattern } }));
    const queryParams = Object.entries(route.query ?? {}).map(([name, q]) => ({ name, in: 'query', required: false, description: q.description, schema: q.schema }));
    const operation: Record<string, unknown> = {
      operationId: `${route.method}${route.path.replace(/[/:]+([a-z])/g, (_m, ch: string) => ch.toUpperCase()).replace(/[^A-Za-z0-9]/g, '')}`,
      summary: route.summary,
      tags: [route.tag],
      ...(route.role ? { security: [{ bearer: [] }], 'x-required-role': route.role } : { security: [] }),
      ...(pathParams.length + queryParams.length > 0 ? { parameters: [...pathParams, ...queryParams] } : {}),
      ...(route.requestSchema ? { requestBody: { required: true, content: { 'application/json': { schema: withRefs(route.requestSchema) } } } } : {}),
      responses: Object.fromEntries(Object.entries(answersOf(route, pathNames.length > 0)).map(([status, r]) => [status, responseObject(Number(status), r)])),
    };
    (paths[path] ??= {})[route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'refund-guard',
      version,
      description: 'Refund-abuse decisions for marketplace merchants: policies evaluated against account features, with explanations.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Tokens from REFUND_GUARD_TOKENS (role:token or role:name:token), one role each: service, analyst, appraiser, admin, backfill' } },
      schemas: Object.fromEntries(Object.entries(namedSchemas).map(([name, schema]) => [name, withRefs(schema, false)])),
    },
    paths,
  };
}

/** The route's own answers plus the errors that come with its role, body, path and query. */
function answersOf(route: RouteDefinition, hasPathParams: boolean): Record<number, ResponseSpec> {
  const implied: Record<number, ResponseSpec> = {};
  if (route.requestSchema || hasPathParams || route.query) implied[400] = { description: 'Invalid request: every problem listed with its path' };
  if (route.role) {
    implied[401] = { description: 'Missing or invalid token' };
    implied[403] = { description: `Needs the ${typeof route.role === 'string' ? route.role : route.role.join(' or ')} role` };
  }
  if (route.requestSchema) {
    implied[413] = { description: 'The body is too large' };
    implied[415] = { description: 'The body is not application/json' };
  }
  return { ...implied, ...route.responses };
}

/** Error statuses answer the error envelope; everything else its declared schema. */
function responseObject(status: number, r: ResponseSpec): Record<string, unknown> {
  const schema = r.schema ?? (status >= 400 ? errorSchema : undefined);
  if (schema === undefined) throw new Error(`a ${status} response without a schema: every answer needs one for the document`);
  return { description: r.description, content: { [r.contentType ?? 'application/json']: { schema: withRefs(schema) } } };
}

const nameOf = new Map<object, string>(Object.entries(namedSchemas).map(([name, schema]) => [schema, name]));

/**
 * A copy of a schema for the document: a named schema met anywhere becomes a $ref to its component
 * (the root too, unless `refRoot` is false: the component's own definition), and schema ids, which
 * are for the validator's cache, are dropped (in the document they would be read as URIs).
 */
function withRefs(schema: unknown, refRoot = true): unknown {
  if (Array.isArray(schema)) return schema.map((item) => withRefs(item));
  if (schema === null || typeof schema !== 'object') return schema;
  const name = refRoot ? nameOf.get(schema) : undefined;
  if (name !== undefined) return { $ref: `#/components/schemas/${name}` };
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) if (key !== '$id') copy[key] = withRefs(value);
  return copy;
}
