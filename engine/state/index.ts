export * from './restrictions.js';
export * from './orders.js';
export type { MerchantState, MerchantUpdate, MerchantStore, AccountStateStore, AccountSnapshot, AccountReader, RestrictionLift } from './stores.js';
export { MemoryMerchantStore, MemoryAccountStateStore, MemoryAccountReader, type RestrictionAuditEntry } from './memory-stores.js';
