/**
 * A one-line progress bar on stderr, only when stderr is a terminal (CI logs and pipes stay
 * clean). Redrawn at most 4×/s; the ETA comes from bytes read over file size, which tracks
 * events closely because event lines are of similar length.
 */
export class ProgressLine {
  private readonly started = performance.now();
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly enabled = stream.isTTY === true,
  ) {}

  update(bytesRead: number, totalBytes: number, events: number): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.lastDraw < 250 && bytesRead < totalBytes) return;
    this.lastDraw = now;
    const elapsed = (now - this.started) / 1000;
    const fraction = totalBytes > 0 ? Math.min(1, bytesRead / totalBytes) : 0;
    const width = 30;
    const filled = Math.round(fraction * width);
    const rate = elapsed > 0 ? events / elapsed : 0;
    const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : 0;
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    this.stream.write(`\r${bar} ${(fraction * 100).toFixed(0).padStart(3)}%  ${Math.round(rate).toLocaleString('en-US')} events/s  ETA ${formatSeconds(eta)}   `);
    this.drawn = true;
  }

  done(): void {
    if (this.enabled && this.drawn) this.stream.write('\r\x1b[2K');
  }
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}
