import { pino, stdTimeFunctions, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs. Authorization headers and tokens are redacted wherever they appear. */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
      base: { service: 'refund-guard' },
      redact: { paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'token', '*.token'], censor: '[redacted]' },
      timestamp: stdTimeFunctions.isoTime,
    },
    options.destination ?? process.stdout,
  );
}
