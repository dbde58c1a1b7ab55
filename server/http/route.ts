import type { Context } from 'hono';
import type { Role } from './auth.js';

/**
 * One route: what it does, who may call it, what it takes and returns, and the handler.
 * The same table registers the routes and writes /openapi.json, so the two cannot disagree.
 */
export interface RouteDefinition {
  method: 'get' | 'post' | 'put';
  /** Hono path syntax (/v1/decisions/:id); turned into OpenAPI's {id} form for the document. */
  path: string;
  summary: string;
  /** undefined: no token needed; a list: any of these roles. */
  role?: Role | readonly Role[];
  tag: string;
  requestSchema?: object;
  /**
   * The answers the handler itself gives, each with its schema (JSON unless `contentType` says otherwise).
   * The document adds the errors every route of its kind can answer: 401/403 with a role, 400 with a
   * body, path or query to check, 413/415 with a body; their schema is the error envelope.
   */
  responses: Record<number, { description: string; schema?: object; contentType?: string }>;
  query?: Record<string, { description: string; schema: object }>;
  handler(c: Context): Promise<Response> | Response;
}

export function defineRoutes(routes: RouteDefinition[]): RouteDefinition[] {
  return routes;
}
