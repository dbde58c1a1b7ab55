import { ApiError } from './errors.js';

/**
 * A store that cannot answer (Redis down, timed out) is the server's problem, not the
 * caller's: it becomes 503 store_unavailable, and the caller may safely retry (writes are
 * idempotent). ApiErrors pass through unchanged.
 */
export async function storeCall<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    // The store's own message may name hosts and ports: the log gets it, the caller a fixed text.
    throw new ApiError('store_unavailable', 'the store is unavailable; retry later (the request was not applied, or was applied idempotently)', undefined, { cause: err });
  }
}
