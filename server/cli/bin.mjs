#!/usr/bin/env node
// The installed `refund-guard` command: TypeScript sources run through tsx, no build step.
import { register } from 'tsx/esm/api';

register();
process.env.REFUND_GUARD_CLI = '1';
await import('./main.ts');
