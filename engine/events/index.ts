export * from './types.js';
export { eventSchemas, anyEventSchema, idPattern, forbiddenKeys, type JsonSchema } from './schemas.js';
export { validateEvent, validateWithSchema, validateEventBatch, isEventType, plainlyValidValues, type EventProblem, type EventValidation, type EventBatchValidation } from './validate.js';
export { atMs, DAY_MS } from './time.js';
export { eventFieldCatalogue, type EventFieldInfo } from './fields.js';
