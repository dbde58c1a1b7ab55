import type { Context } from 'hono';
import { ApiError } from '../http/errors.js';

/** The text fields of a posted form (urlencoded or multipart); files are refused. */
export async function formFields(c: Context): Promise<Map<string, string>> {
  const body = await c.req.parseBody().catch(() => {
    throw new ApiError('validation_failed', 'the form could not be read', [{ path: '/body', message: 'send the console form (application/x-www-form-urlencoded)' }]);
  });
  const fields = new Map<string, string>();
  for (const [name, value] of Object.entries(body)) if (typeof value === 'string') fields.set(name, value);
  return fields;
}

/** A required text field: present, not blank, at most `max` characters. */
export function requiredText(fields: Map<string, string>, name: string, label: string, max: number): string {
  const value = (fields.get(name) ?? '').trim();
  if (value === '') throw new ApiError('validation_failed', `${label} is required`, [{ path: `/${name}`, message: `${label} is required` }]);
  if (value.length > max) throw new ApiError('validation_failed', `${label} is too long`, [{ path: `/${name}`, message: `at most ${max} characters` }]);
  return value;
}

export function oneOf<T extends string>(fields: Map<string, string>, name: string, allowed: readonly T[]): T {
  const value = fields.get(name);
  const found = allowed.find((a) => a === value);
  if (found === undefined) throw new ApiError('validation_failed', `${name} must be one of ${allowed.join(', ')}`, [{ path: `/${name}`, message: `must be one of ${allowed.join(', ')}` }]);
  return found;
}
