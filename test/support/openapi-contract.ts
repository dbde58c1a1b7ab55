/**
 * Every response the HTTP tests receive is checked against the served /openapi.json: the status must
 * be one the operation declares, the content type the declared one, and a JSON body must match the
 * declared schema. The harnesses send their requests through `contractRequest`, so a handler that
 * answers something its document does not say fails the test that saw it.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

interface App {
  request(input: string, init?: RequestInit): Response | Promise<Response>;
}

interface MediaType {
  schema: object;
}
interface Operation {
  responses: Record<string, { content?: Record<string, MediaType> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, object> };
}

const ajv = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true });
addFormats.default(ajv);
const validators = new Map<string, ValidateFunction>();
const documents = new WeakMap<App, Promise<Document>>();

/** app.request, then the answer checked against the app's own document. */
export async function contractRequest(app: App, path: string, init: RequestInit = {}): Promise<Response> {
  const response = await app.request(path, init);
  const document = await documentOf(app);
  await checkResponse(document, (init.method ?? 'GET').toLowerCase(), path, response.clone());
  return response;
}

const served = new Map<string, App>();

/** A server on a real port, seen as an App: `contractRequest(overHttp(base), path, init)` checks its answers too. */
export function overHttp(base: string): App {
  let app = served.get(base);
  if (app === undefined) served.set(base, (app = { request: (path, init) => fetch(`${base}${path}`, init) }));
  return app;
}

function documentOf(app: App): Promise<Document> {
  let document = documents.get(app);
  if (document === undefined) {
    document = Promise.resolve(app.request('/openapi.json')).then(async (r) => {
      if (r.status !== 200) throw new Error(`GET /openapi.json answered ${r.status}: ${await r.text()}`);
      return (await r.json()) as Document;
    });
    documents.set(app, document);
  }
  return document;
}

export async function checkResponse(document: Document, method: string, url: string, response: Response): Promise<void> {
  const path = new URL(url, 'http://test').pathname;
  const operation = findOperation(document, method, path);
  const where = `${method.toUpperCase()} ${path} → ${response.status}`;
  if (operation === undefined) {
    // No such route: the app's not-found answer, the error envelope.
    if (response.status !== 404 && response.status !== 405) throw new Error(`${where}: no operation in /openapi.json for this path`);
    validateBody(`${where} (no route)`, document, { $ref: '#/components/schemas/Error' }, await response.json());
    return;
  }
  const declared = operation.responses[String(response.status)];
  if (declared === undefined) throw new Error(`${where}: the document declares only ${Object.keys(operation.responses).join(', ')} for this operation; body ${await response.text()}`);
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const media = declared.content?.[contentType];
  if (media === undefined) throw new Error(`${where}: content type "${contentType}" is not declared (${Object.keys(declared.content ?? {}).join(', ') || 'none'})`);
  const text = await response.text();
  validateBody(where, document, media.schema, contentType === 'application/json' ? JSON.parse(text) : text);
}

/** Documents of different apps are equal copies: validators are shared across apps by the components they resolve against. */
const componentKeys = new WeakMap<Document, string>();

function validateBody(where: string, document: Document, schema: object, body: unknown): void {
  let components = componentKeys.get(document);
  if (components === undefined) componentKeys.set(document, (components = JSON.stringify(document.components ?? {})));
  const key = `${JSON.stringify(schema)}\n${components}`;
  let validate = validators.get(key);
  if (validate === undefined) validators.set(key, (validate = ajv.compile(resolveRefs(schema, document) as object)));
  if (!validate(body)) {
    const problems = (validate.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
    throw new Error(`${where}: the body does not match /openapi.json:\n  ${problems.join('\n  ')}\nbody: ${JSON.stringify(body).slice(0, 2000)}`);
  }
}

/** The schema with each $ref to a component replaced by the component (the document's refs are acyclic). */
function resolveRefs(schema: unknown, document: Document): unknown {
  if (Array.isArray(schema)) return schema.map((item) => resolveRefs(item, document));
  if (schema === null || typeof schema !== 'object') return schema;
  const ref = (schema as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') {
    const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
    const target = name === undefined ? undefined : document.components?.schemas?.[name];
    if (target === undefined) throw new Error(`/openapi.json: unresolvable $ref ${ref}`);
    return resolveRefs(target, document);
  }
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, resolveRefs(value, document)]));
}

/** The operation whose templated path (/v1/accounts/{id}) matches, literal segments before templated ones. */
function findOperation(document: Document, method: string, path: string): Operation | undefined {
  const segments = path.split('/');
  let best: { operation: Operation; literals: number } | undefined;
  for (const [template, operations] of Object.entries(document.paths)) {
    const parts = template.split('/');
    if (parts.length !== segments.length || operations[method] === undefined) continue;
    let literals = 0;
    const matches = parts.every((part, i) => {
      if (part.startsWith('{')) return segments[i] !== '';
      literals++;
      return part === segments[i];
    });
    if (matches && (best === undefined || literals > best.literals)) best = { operation: operations[method], literals };
  }
  return best?.operation;
}
