export { startSharedInstance, newInstanceId, type SharedInstance, type SharedInstanceOptions } from './shared-instance.js';
export { INSTANCE_SEEN_MS, type InstanceRecord } from './heartbeats.js';
