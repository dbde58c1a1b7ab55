import { readFileSync } from 'node:fs';
import type { Context } from 'hono';

/** The console's one stylesheet and one script, read once and served as files (never inlined). */
const files: Record<string, { body: string; type: string }> = {
  'console.css': { body: readFileSync(new URL('./static/console.css', import.meta.url), 'utf8'), type: 'text/css; charset=utf-8' },
  'console.js': { body: readFileSync(new URL('./static/console.js', import.meta.url), 'utf8'), type: 'text/javascript; charset=utf-8' },
};

export function serveStaticFile(c: Context): Response {
  const file = files[c.req.param('file') ?? ''];
  if (!file) return c.text('not found', 404);
  return c.body(file.body, 200, { 'content-type': file.type, 'cache-control': 'no-cache' });
}
