import { idPattern } from '../../engine/facts/index.js';
import type { RouteDefinition } from './route.js';
import { errorSchema } from './response-schemas.js';

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
      ...(route.requestSchema ? { requestBody: { required: true, content: { 'application/json': { schema: stripIds(route.requestSchema) } } } } : {}),
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
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Tokens from REFUND_GUARD_TOKENS, one role each: service, analyst, appraiser, admin' } },
      schemas: { Error: stripIds(errorSchema) },
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
  return { description: r.description, content: { [r.contentType ?? 'application/json']: { schema: stripIds(schema) } } };
}

/** Schema ids are for the validator's cache; in the document they would be read as URIs. */
function stripIds(schema: object): object {
  return JSON.parse(JSON.stringify(schema, (key, value: unknown) => (key === '$id' ? undefined : value))) as object;
}
