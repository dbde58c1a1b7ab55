import type { Context } from 'hono';
import { atMs, validateEventBatch, type RefundGuardEvent } from '../../engine/events/index.js';
import { callerOf, type Role } from '../http/auth.js';
import { mayChooseClock, mayPostEvent, type ClockLimits } from '../http/permissions.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../http/errors.js';
import { readJsonBody } from '../http/json-body.js';
import { errorSchema, eventBatchSchema, maxEventsPerBatch } from '../http/request-schemas.js';
import { eventBatchResultSchema } from '../http/response-schemas.js';
import { defineRoutes } from '../http/route.js';
import { storeCall } from '../http/store-call.js';
import { invalid } from '../http/validate.js';
import { json } from '../http/respond.js';

export function eventRoutes(ctx: ServerContext) {
  return defineRoutes([
    {
      method: 'post',
      path: '/v1/events',
      summary: 'Ingest a batch of events (idempotent by eventId); a batch with any invalid event is refused whole',
      role: ['service', 'backfill'],
      tag: 'events',
      requestSchema: eventBatchSchema,
      responses: {
        200: { description: '{accepted, applied, duplicates, restrictionsCreated}', schema: eventBatchResultSchema },
        400: { description: 'Some events are invalid, or (service role) dated outside the accepted window (time_out_of_range); nothing was applied', schema: errorSchema },
        403: { description: 'The batch holds event types the caller\'s role may not post (judgement events need backfill or admin); nothing was applied', schema: errorSchema },
        413: { description: 'More than 1,000 events or 1 MiB', schema: errorSchema },
        503: { description: 'The store is unavailable; nothing was lost, re-send the batch', schema: errorSchema },
      },
      async handler(c: Context) {
        const body = await readJsonBody(c);
        if (body === null || typeof body !== 'object' || Array.isArray(body) || !Array.isArray((body as { events?: unknown }).events)) {
          throw new ApiError('validation_failed', 'the body is {"events": [...]}', [{ path: '/events', message: 'must be an array of events' }]);
        }
        const raw = (body as { events: unknown[] }).events;
        const extra = Object.keys(body).filter((k) => k !== 'events');
        if (extra.length > 0) throw new ApiError('validation_failed', 'the body is {"events": [...]}', extra.map((k) => ({ path: `/${k}`, message: `unknown field "${k}"` })));
        if (raw.length === 0) throw new ApiError('validation_failed', 'the batch is empty', [{ path: '/events', message: 'must hold at least one event' }]);
        if (raw.length > maxEventsPerBatch) throw new ApiError('payload_too_large', `a batch holds at most ${maxEventsPerBatch} events; this one has ${raw.length}`);
        const validated = validateEventBatch(raw);
        if (!validated.ok) {
          throw invalid(
            `${new Set(validated.problems.map((p) => p.index)).size} of ${raw.length} events are invalid; nothing was applied`,
            validated.problems.map((p) => ({ index: p.index, path: `/events/${p.index}${p.path}`, message: p.message })),
          );
        }
        refuseWhatTheCallerMayNotPost(callerOf(c).role, validated.events, ctx.now(), ctx.clockLimits);
        const result = await storeCall(() => ctx.service.ingest(validated.events));
        ctx.metrics.eventsIngested.inc({ outcome: 'applied' }, result.applied);
        ctx.metrics.eventsIngested.inc({ outcome: 'duplicate' }, result.duplicates);
        const created = result.reviews.filter((r) => r.created && r.restriction);
        for (const r of created) ctx.metrics.restrictionsCreated.inc({ kind: r.restriction!.kind });
        return json(c, {
          accepted: validated.events.length,
          applied: result.applied,
          duplicates: result.duplicates,
          restrictionsCreated: created.map((r) => r.restriction!.id),
        });
      },
    },
  ]);
}

/**
 * Judgement events (appraisals, resolutions, merchant settings) only from the roles permissions.ts
 * names; and a clock-bound role's events dated near the server clock, so one cannot shadow every
 * later merchant update (year 9999) or rewrite the distant past. The whole batch is refused.
 */
function refuseWhatTheCallerMayNotPost(role: Role, events: readonly RefundGuardEvent[], now: number, limits: ClockLimits): void {
  const forbidden = events.flatMap((e, index) => (mayPostEvent(role, e.type) ? [] : [{ index, path: `/events/${index}/type`, message: `the ${role} role may not post ${e.type} events` }]));
  if (forbidden.length > 0) {
    const types = [...new Set(forbidden.map((f) => events[f.index]!.type))];
    throw new ApiError('forbidden', `the ${role} role may not post ${types.join(', ')} events (they carry an appraiser's or admin's judgement); nothing was applied`, forbidden.slice(0, 50));
  }
  if (mayChooseClock(role)) return;
  const earliest = now - limits.eventBehindMs;
  const latest = now + limits.eventAheadMs;
  const outside = events.flatMap((e, index) => {
    const at = atMs(e);
    return at >= earliest && at <= latest ? [] : [{ index, path: `/events/${index}/at`, message: `must lie between ${new Date(earliest).toISOString()} and ${new Date(latest).toISOString()} for the ${role} role (imports of other times use the backfill role)` }];
  });
  if (outside.length > 0) throw invalid(`${outside.length} of ${events.length} events are dated outside the accepted window; nothing was applied`, outside, 'time_out_of_range');
}
