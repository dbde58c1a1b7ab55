import type { RouteDefinition } from './route.js';

/** OpenAPI 3.1 from the route table: every route, its role, body schema and responses. */
export function openApiDocument(routes: readonly RouteDefinition[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const pathParams = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const queryParams = Object.entries(route.query ?? {}).map(([name, q]) => ({ name, in: 'query', required: false, description: q.description, schema: q.schema }));
    const operation: Record<string, unknown> = {
      operationId: `${route.method}${route.path.replace(/[/:]+([a-z])/g, (_m, ch: string) => ch.toUpperCase()).replace(/[^A-Za-z0-9]/g, '')}`,
      summary: route.summary,
      tags: [route.tag],
      ...(route.role ? { security: [{ bearer: [] }], 'x-required-role': route.role } : { security: [] }),
      ...(pathParams.length + queryParams.length > 0 ? { parameters: [...pathParams, ...queryParams] } : {}),
      ...(route.requestSchema ? { requestBody: { required: true, content: { 'application/json': { schema: stripIds(route.requestSchema) } } } } : {}),
      responses: Object.fromEntries(
        Object.entries({
          ...route.responses,
          ...(route.role ? { 401: { description: 'Missing or invalid token' }, 403: { description: `Needs the ${typeof route.role === 'string' ? route.role : route.role.join(' or ')} role` } } : {}),
        }).map(([status, r]) => [status, { description: r.description, ...('schema' in r && r.schema ? { content: { 'application/json': { schema: stripIds(r.schema) } } } : {}) }]),
      ),
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
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Tokens from REFUND_GUARD_TOKENS (role:token or role:name:token), one role each: service, analyst, appraiser, admin, backfill' } } },
    paths,
  };
}

/** Schema ids are for the validator's cache; in the document they would be read as URIs. */
function stripIds(schema: object): object {
  return JSON.parse(JSON.stringify(schema, (key, value: unknown) => (key === '$id' ? undefined : value))) as object;
}
