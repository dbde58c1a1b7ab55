import { Notice, Page } from '../layout.js';
import type { Session } from '../stores/index.js';

export function LoginPage({ now, next, error, signedOut }: { now: number; next?: string; error?: string; signedOut?: boolean }) {
  return (
    <Page title="Sign in" now={now}>
      <div class="login panel">
        {signedOut && <Notice>You are signed out.</Notice>}
        {error !== undefined && <Notice kind="error">{error}</Notice>}
        <form class="stack" method="post" action="/console/login">
          <label>
            Token
            <input type="password" name="token" required autocomplete="current-password" />
          </label>
          {next !== undefined && <input type="hidden" name="next" value={next} />}
          <button type="submit" class="primary">
            Sign in
          </button>
        </form>
        <p class="muted">Use your token from REFUND_GUARD_TOKENS. The session ends after 30 minutes idle.</p>
      </div>
    </Page>
  );
}

export function LogoutPage({ now, person }: { now: number; person: Session }) {
  return (
    <Page title="Sign out" now={now} person={person}>
      <form method="post" action="/console/logout" class="inline">
        <p>Signed in as {person.name}. Sign out of the console on this browser?</p>
        <button type="submit" class="primary">
          Sign out
        </button>
      </form>
    </Page>
  );
}

export function ErrorPage({ now, person, status, message }: { now: number; person?: Session; status: number; message: string }) {
  const title = status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : status === 409 ? 'Conflict' : status === 401 ? 'Signed out' : 'Cannot do that';
  return (
    <Page title={title} now={now} {...(person !== undefined ? { person } : {})}>
      <Notice kind="error">{message}</Notice>
      <p>
        <a href={person ? '/console' : '/console/login'}>{person ? 'Back to the overview' : 'Sign in'}</a>
      </p>
    </Page>
  );
}
