export * from './restrictions.js';
export * from './orders.js';
export { mergeMerchant, type MerchantState, type MerchantUpdate, type MerchantStore, type AccountStateStore, type AccountSnapshot, type AccountReader, type RestrictionLift } from './stores.js';
export { MemoryMerchantStore, MemoryAccountStateStore, MemoryAccountReader, type RestrictionAuditEntry } from './memory-stores.js';
