import type { PolicyDefinition, Problem } from '../../../engine/index.js';
import type { CohortSelector } from '../../../engine/policy/model.js';
import type { InstanceRecord } from '../../instances/index.js';
import { when } from '../format.js';
import { ColumnHeads, Facts, Notice, Page } from '../layout.js';
import type { Session } from '../stores/index.js';

export interface PoliciesProps {
  person: Session;
  now: number;
  revision: string;
  activeSince: string;
  policies: readonly PolicyDefinition[];
  lastFailure?: { at: string; problems: readonly Problem[] };
  /** The server instances seen in the last 30 s (heartbeats), with the revision each serves. */
  instances: readonly InstanceRecord[];
  /** The id of the instance that rendered the page. */
  instance: string;
}

function cohortText(c: CohortSelector): string {
  return c === 'all' ? 'all merchants' : c.length === 0 ? 'none' : c.join(', ');
}

/** The stage of the rollout in force at `now`: the last one whose start has passed, else the initial cohorts and percent. */
function stageNow(p: PolicyDefinition, now: number): { label: string; cohorts: CohortSelector; percent: number } {
  let stage = { label: 'initial', cohorts: p.rollout.cohorts, percent: p.rollout.percent };
  for (const s of p.rollout.stages) if (s.fromMs <= now) stage = { label: `from ${s.from}`, cohorts: s.cohorts, percent: s.percent };
  return stage;
}

export function PoliciesPage(p: PoliciesProps) {
  return (
    <Page title="Policies" now={p.now} person={p.person} section="policies">
      <Facts rows={[['Active revision', <code>{p.revision}</code>], ['Active since', when(p.activeSince)]]} />
      <h2>Policies in the bundle</h2>
      <table aria-label="Policies in the bundle">
        <ColumnHeads columns={['Policy', 'Point', { label: 'Version', num: true }, 'Mode', 'Cohorts', 'Stage in force now', { label: 'Percent', num: true }, 'Later stages']} />
        <tbody>
          {p.policies.map((policy) => {
            const stage = stageNow(policy, p.now);
            return (
              <tr>
                <td>
                  <code>{policy.id}</code>
                </td>
                <td>{policy.point}</td>
                <td class="num">{policy.version}</td>
                <td>
                  <span class={`tag ${policy.rollout.mode === 'enforce' ? 'ok' : ''}`}>{policy.rollout.mode}</span>
                </td>
                <td>{cohortText(stage.cohorts)}</td>
                <td>{stage.label}</td>
                <td class="num">{stage.percent}%</td>
                <td class="muted">
                  {policy.rollout.stages
                    .filter((s) => s.fromMs > p.now)
                    .map((s) => `${s.from}: ${cohortText(s.cohorts)} ${s.percent}%`)
                    .join('; ') || '—'}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h2>Instances</h2>
      <table aria-label="Instances">
        <ColumnHeads columns={['Instance', 'Host', { label: 'PID', num: true }, 'Revision', 'Started', 'Last seen']} />
        <tbody>
          {p.instances.map((i) => (
            <tr>
              <td>
                <code>{i.id}</code>
                {i.id === p.instance ? ' (this one)' : ''}
              </td>
              <td>{i.host}</td>
              <td class="num">{i.pid}</td>
              <td>
                <code>{i.revision}</code>
                {i.revision !== p.revision ? <span class="tag"> differs</span> : ''}
              </td>
              <td>{when(i.startedAt)}</td>
              <td>{when(i.lastSeen)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Last failed load</h2>
      {p.lastFailure === undefined ? (
        <p class="muted">No failed load since the server started.</p>
      ) : (
        <section class="panel" aria-label="Last failed load">
          <Notice kind="error">
            Refused at {when(p.lastFailure.at)} with {p.lastFailure.problems.length} problem(s); revision {p.revision} stayed active.
          </Notice>
          <ul>
            {p.lastFailure.problems.map((problem) => (
              <li>
                <code>
                  {problem.file}:{problem.line}:{problem.col}
                </code>{' '}
                {problem.code} {problem.message}
              </li>
            ))}
          </ul>
        </section>
      )}
    </Page>
  );
}
