export * from './model.js';
export * from './store.js';
export * from './events.js';
export { MemoryRecordStore, MemoryWorkflowStore } from './memory-store.js';
export { IntegrityWorkflows, WorkflowError, workflowId, fingerprint, type WorkflowErrorCode, type WorkflowDependencies, type ReportInput, type ComplaintInput, type TransitionResult } from './workflows.js';
