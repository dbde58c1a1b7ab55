import type { Context } from 'hono';
import { forbiddenKeys } from '../../engine/events/index.js';
import { ApiError, type ErrorDetail } from './errors.js';

export const maxBodyBytes = 1024 * 1024;
const maxDepth = 32;

/**
 * Reads and parses a JSON body: size-limited before parsing, then refused if any key could
 * reach an object prototype or the nesting is absurd. Raises ApiError, never a 500.
 */
export async function readJsonBody(c: Context): Promise<unknown> {
  // The body is read as JSON whatever the content type says: curl's default form type is a common slip, not an attack.
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > maxBodyBytes) throw new ApiError('payload_too_large', `the body is larger than ${maxBodyBytes} bytes`);
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
  // Cheap text check first: the walk below only runs when a forbidden word appears at all.
  if (forbiddenKeys.some((k) => text.includes(k)) || (text.length > 4096 && !plainShape(value))) {
    const problem = unsafeShape(value);
    if (problem) throw new ApiError('validation_failed', 'the body was refused', [problem]);
  }
  return value;
}

/**
 * The common case, without building paths: no forbidden key and no deep nesting (a body the text check
 * could not clear, e.g. any large batch). Iterative, like unsafeShape, which then names the problem.
 */
function plainShape(value: unknown): boolean {
  const nodes: unknown[] = [value];
  const depths: number[] = [0];
  while (nodes.length > 0) {
    const node = nodes.pop();
    const depth = depths.pop() as number;
    if (node === null || typeof node !== 'object') continue;
    if (depth > maxDepth) return false;
    if (Array.isArray(node)) {
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
      if (forbiddenKeys.includes(key)) return false;
      const child = (node as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return true;
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
