import type { Child } from 'hono/jsx';
import type { Session } from './stores/index.js';

export type Section = 'overview' | 'evidence' | 'complaints' | 'restrictions' | 'policies' | 'merchants' | 'none';

const sections: { id: Section; href: string; label: string }[] = [
  { id: 'overview', href: '/console', label: 'Overview' },
  { id: 'evidence', href: '/console/evidence', label: 'Evidence' },
  { id: 'complaints', href: '/console/complaints', label: 'Complaints' },
  { id: 'restrictions', href: '/console/restrictions', label: 'Restrictions' },
  { id: 'policies', href: '/console/policies', label: 'Policies' },
  { id: 'merchants', href: '/console/merchants', label: 'Merchants' },
];

interface PageProps {
  title: string;
  /** The server's clock, so the page script counts SLA time from the same instant the server did. */
  now: number;
  person?: Session;
  section?: Section;
  children?: Child;
}

/** Every page: one stylesheet and one script from /console/static, nothing inline. */
export function Page({ title, now, person, section = 'none', children }: PageProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · refund-guard console`}</title>
        <link rel="stylesheet" href="/console/static/console.css" />
        <script src="/console/static/console.js" defer></script>
      </head>
      <body data-server-now={new Date(now).toISOString()}>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <span class="brand">refund-guard</span>
          {person && (
            <nav aria-label="Console">
              <ul>
                {sections.map((s) => (
                  <li>
                    <a href={s.href} aria-current={s.id === section ? 'page' : undefined}>
                      {s.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          {person && (
            <div class="who">
              <span>
                {person.name} <span class="muted">({person.role})</span>
              </span>
              <a href="/console/logout">Sign out</a>
            </div>
          )}
        </header>
        <main id="main">
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}

/** A short status line (after a verdict, a save...): announced by screen readers. */
export function Notice({ kind = 'info', children }: { kind?: 'info' | 'error'; children?: Child }) {
  return (
    <p class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </p>
  );
}

/** Definition rows: label, value. */
export function Facts({ rows }: { rows: [string, Child][] }) {
  return (
    <dl class="facts">
      {rows.map(([label, value]) => (
        <div>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function KeyHints({ keys }: { keys: [string, string][] }) {
  return (
    <p class="keys">
      Keys:{' '}
      {keys.map(([key, what]) => (
        <span>
          <kbd>{key}</kbd> {what}
        </span>
      ))}
    </p>
  );
}

/** A column heading; `num` right-aligns it over a column of numbers. */
export interface Column {
  label: string;
  num?: boolean;
}

/** A table's head row: every heading a column header (scope="col"), as screen readers announce cells by it. */
export function ColumnHeads({ columns }: { columns: readonly (string | Column)[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => {
          const column = typeof c === 'string' ? { label: c } : c;
          return column.num === true ? (
            <th scope="col" class="num">
              {column.label}
            </th>
          ) : (
            <th scope="col">{column.label}</th>
          );
        })}
      </tr>
    </thead>
  );
}
