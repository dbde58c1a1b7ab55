import type { ApiError } from '../http/errors.js';
import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';

/** A whole page: the doctype, then the JSX tree (hono/jsx escapes every text value). */
export async function render(c: Context, page: JSX.Element, status: 200 | ApiError['status'] = 200): Promise<Response> {
  return c.html(`<!DOCTYPE html>${String(await page)}`, status);
}
