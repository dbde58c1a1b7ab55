/** The outputs of a simulation, the same for a single run and a run on workers: --json, --html, the terminal summary. */
import { writeFile } from 'node:fs/promises';
import { renderHtml } from './html/render.js';
import { summaryTable } from './report/summary-table.js';
import type { SimulationReport } from './report/types.js';

export interface ReportTargets {
  history: string;
  json?: string;
  html?: string;
}

interface Side {
  source: string;
  bundle: { revision: string };
}

export async function writeReport(report: SimulationReport, targets: ReportTargets, baseline: Side, candidate: Side, io: { out(text: string): void; err(text: string): void }): Promise<void> {
  if (targets.json) await writeFile(targets.json, JSON.stringify(report, null, 2) + '\n');
  if (targets.html) {
    await writeFile(
      targets.html,
      renderHtml(report, {
        history: targets.history,
        baseline: { source: baseline.source, revision: baseline.bundle.revision },
        candidate: { source: candidate.source, revision: candidate.bundle.revision },
      }),
    );
  }
  io.out(summaryTable(report));
  for (const bad of report.history.firstBadLines.slice(0, 5)) io.err(`${targets.history}:${bad.line}: ${bad.message}`);
  if (report.history.badLines > 5) io.err(`... ${report.history.badLines - 5} more bad lines (see the JSON report)`);
}
