/**
 * The few pages of the sign-in's own that are not AdminJS's: asking before signing out, and
 * choosing one's own password. Plain forms (no script: the content security policy allows none
 * without a nonce), in the panel's colours.
 */

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const INPUT =
  'display: block; width: 100%; box-sizing: border-box; font-size: 1rem; padding: .5rem; margin: .25rem 0 1rem; border: 1px solid #bbb; border-radius: 4px';
const BUTTON = 'font-size: 1rem; padding: .6rem 1.4rem; background: #3040d6; color: #fff; border: 0; border-radius: 4px; cursor: pointer';

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · NEXUS</title></head>
<body style="font-family: Roboto, system-ui, sans-serif; background: #f6f7fb; color: #1c1c38; margin: 0">
<main style="max-width: 28rem; margin: 12vh auto; background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.12)">
${body}
</main>
</body>
</html>`;
}

export function signOutPage(logoutPath: string, rootPath: string): string {
  return page(
    'Sign out',
    `<h1 style="font-size: 1.4rem; margin-top: 0">Sign out of NEXUS?</h1>
<form method="post" action="${escapeHtml(logoutPath)}">
<button type="submit" autofocus style="${BUTTON}">Sign out</button>
<a href="${escapeHtml(rootPath)}" style="margin-left: 1rem; color: #3040d6">Stay signed in</a>
</form>`,
  );
}

export interface PasswordPageState {
  action: string;
  logoutPath: string;
  /** True when the present password was set by someone else and must be replaced now. */
  required: boolean;
  error?: { field: 'current' | 'password' | 'repeat'; message: string };
}

export function changePasswordPage(state: PasswordPageState): string {
  const error = (field: string) =>
    state.error?.field === field
      ? `<p role="alert" id="${field}-error" style="color: #b00020; margin: -.75rem 0 1rem">${escapeHtml(state.error.message)}</p>`
      : '';
  const described = (field: string) => (state.error?.field === field ? ` aria-invalid="true" aria-describedby="${field}-error"` : '');
  return page(
    'Choose your password',
    `<h1 style="font-size: 1.4rem; margin-top: 0">Choose your own password</h1>
${state.required ? '<p>Your password was set by an administrator. Choose your own to go on: until then NEXUS opens nothing else, and you cannot sign approvals.</p>' : ''}
<form method="post" action="${escapeHtml(state.action)}">
<label for="current">Current password</label>
<input id="current" name="current" type="password" autocomplete="current-password" required style="${INPUT}"${described('current')}>
${error('current')}
<label for="password">New password (at least 12 characters, not your user name)</label>
<input id="password" name="password" type="password" autocomplete="new-password" required style="${INPUT}"${described('password')}>
${error('password')}
<label for="repeat">New password again</label>
<input id="repeat" name="repeat" type="password" autocomplete="new-password" required style="${INPUT}"${described('repeat')}>
${error('repeat')}
<button type="submit" style="${BUTTON}">Save my password</button>
</form>
<form method="post" action="${escapeHtml(state.logoutPath)}" style="margin-top: 1rem"><button type="submit" style="background: none; border: 0; color: #3040d6; cursor: pointer; padding: 0">Sign out instead</button></form>`,
  );
}
