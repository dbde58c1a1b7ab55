import type { Context } from 'hono';
import { forbiddenKeys } from '../../engine/events/index.js';
import { ApiError, type ErrorDetail } from './errors.js';

export const maxBodyBytes = 1024 * 1024;
const maxDepth = 32;
/** Values (objects, arrays, scalars) in one body: a real 1,000-event batch holds about 15,000. */
export const maxBodyValues = 100_000;
const jsonMediaType = /^application\/json\s*(;|$)/i;

/**
 * Reads and parses a JSON body: only `application/json` (a form or text/plain POST is what a
 * cross-site page can send without asking), size-limited (the app's body limit counts the stream;
 * this checks what was read), then refused if any parsed key could reach an object prototype,
 * the nesting is absurd or it holds too many values. Raises ApiError, never a 500.
 */
export async function readJsonBody(c: Context): Promise<unknown> {
  const type = c.req.header('content-type');
  if (type === undefined || !jsonMediaType.test(type)) {
    throw new ApiError('unsupported_media_type', `send the body as Content-Type: application/json (got ${type === undefined ? 'none' : JSON.stringify(type.slice(0, 100))})`);
  }
  const text = await c.req.text();
  // UTF-8 takes at most 3 bytes per UTF-16 unit: count bytes only when the length alone cannot decide.
  if (text.length > maxBodyBytes || (text.length > maxBodyBytes / 3 && Buffer.byteLength(text) > maxBodyBytes)) {
    throw new ApiError('payload_too_large', `the body is larger than ${maxBodyBytes} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    if (text.trim() === '') throw new ApiError('invalid_json', 'the body is empty; send a JSON object');
    throw new ApiError('invalid_json', `the body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  // The parsed keys are checked, always: the raw text may spell a key with escapes ("\u005f_proto__").
  const shape = shapeOf(value);
  if (shape === 'too_many_values') throw new ApiError('payload_too_large', `the body holds more than ${maxBodyValues} values`);
  if (shape === 'unsafe') {
    const problem = unsafeShape(value);
    if (problem) throw new ApiError('validation_failed', 'the body was refused', [problem]);
  }
  return value;
}

/**
 * The common case, without building paths: no forbidden key, no deep nesting, a bounded count of
 * values. Iterative, like unsafeShape, which then names the problem.
 */
function shapeOf(value: unknown): 'plain' | 'unsafe' | 'too_many_values' {
  const nodes: unknown[] = [value];
  const depths: number[] = [0];
  let values = 1;
  while (nodes.length > 0) {
    const node = nodes.pop();
    const depth = depths.pop() as number;
    if (node === null || typeof node !== 'object') continue;
    if (depth > maxDepth) return 'unsafe';
    if (Array.isArray(node)) {
      values += node.length;
      if (values > maxBodyValues) return 'too_many_values';
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (child !== null && typeof child === 'object') {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    for (const key in node) {
      if (forbiddenKeys.includes(key)) return 'unsafe';
      if (++values > maxBodyValues) return 'too_many_values';
      const child = (node as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return 'plain';
}

/** An iterative walk, so deep nesting cannot overflow the stack. */
function unsafeShape(value: unknown): ErrorDetail | undefined {
  const stack: { node: unknown; path: string; depth: number }[] = [{ node: value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { node, path, depth } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > maxDepth) return { path, message: `nesting deeper than ${maxDepth} levels` };
    for (const key of Object.keys(node)) {
      const child = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (forbiddenKeys.includes(key)) return { path: child, message: `the key "${key}" is not allowed` };
      stack.push({ node: (node as Record<string, unknown>)[key], path: child, depth: depth + 1 });
    }
  }
  return undefined;
}
