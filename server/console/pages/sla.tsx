import { slaLabels, slaState, timeLeftText } from '../format.js';

/** Time left against the 24 h SLA with its state in words (colour only repeats it); the page script keeps it current. */
export function SlaCell({ dueAt, now }: { dueAt: string; now: number }) {
  const state = slaState(dueAt, now);
  return (
    <span class={`sla ${state}`} data-due={dueAt}>
      <span class="left">{timeLeftText(dueAt, now)}</span> · <span class="state">{slaLabels[state]}</span>
    </span>
  );
}
