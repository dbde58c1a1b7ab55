import { APPRAISAL_SLA_MS } from '../../engine/workflows/index.js';

export type SlaState = 'on-time' | 'due-soon' | 'overdue';

/** The SLA states a row can be in; "due within 2 h" warns before the 24 h deadline passes. */
export const slaLabels: Record<SlaState, string> = { 'on-time': 'on time', 'due-soon': 'due within 2 h', overdue: 'overdue' };
const dueSoonMs = 2 * 3_600_000;

export function slaState(dueAt: string, now: number): SlaState {
  const left = Date.parse(dueAt) - now;
  return left < 0 ? 'overdue' : left <= dueSoonMs ? 'due-soon' : 'on-time';
}

/** "3 h 05 min left" or "overdue by 12 min": the same wording the page script keeps current. */
export function timeLeftText(dueAt: string, now: number): string {
  const left = Date.parse(dueAt) - now;
  const span = duration(Math.abs(left));
  return left < 0 ? `overdue by ${span}` : `${span} left`;
}

export function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** 2027-02-01 12:00 UTC: dense, unambiguous, no locale surprises. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function startOfUtcDay(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

export const slaHours = APPRAISAL_SLA_MS / 3_600_000;

export function formatNumber(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}
