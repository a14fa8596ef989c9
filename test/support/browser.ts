import fs from 'node:fs';
import type { Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Role } from '../../src/auth/roles.js';
import { buildFloor, type Floor } from './floor-fixtures.js';
import { realClockEnv } from './moved-clock.js';
import { createTestApp, TEST_PASSWORD, type TestApp } from './test-app.js';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[];

/**
 * Debian's Chromium, driven by playwright-core; never a downloaded browser. Flags keep it off
 * the network: the panel must not need anything but our server. launch() gives every run a
 * fresh, empty profile of its own.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = CANDIDATES.find((p) => fs.existsSync(p));
  if (!executablePath) {
    throw new Error('No Chromium found for the browser tests. Install it with `apt-get install -y chromium` (or set CHROMIUM_PATH).');
  }
  return chromium.launch({
    executablePath,
    env: realClockEnv(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface BrowserSession {
  t: TestApp;
  /** The session's own shop floor (floor-fixtures.ts): the records its tests open and check, never the demo's. */
  floor: Floor;
  base: string;
  page: Page;
  /** Requests that left the server: the panel must make none. */
  outside: string[];
  /** Responses with a 5xx status, and anything the content security policy blocked. */
  failed: string[];
  signIn(role: Role): Promise<void>;
  /** The panel's "Log out": its page asks, the button signs out (only a POST does). */
  signOut(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real app with a test floor (a traveler in every state, built per session), listening on a
 * free loopback port, and a Chromium page that records every request that leaves the server and
 * every server error.
 */
export async function startBrowserSession(): Promise<BrowserSession> {
  const t = await createTestApp();
  const floor = await buildFloor(t.db);
  const server = await new Promise<Server>((resolve) => {
    const s = t.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  // The first request for the components' bundle builds it (rollup, seconds on a busy machine):
  // done here, so that no test's first page load waits for it.
  const bundle = await fetch(`${base}/admin/frontend/assets/components.bundle.js`);
  if (bundle.status !== 200) throw new Error(`the panel's components bundle failed to build (HTTP ${bundle.status})`);
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  const outside: string[] = [];
  const failed: string[] = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(base) && !url.startsWith('data:') && !url.startsWith('blob:')) outside.push(url);
  });
  page.on('response', (response) => {
    if (response.status() >= 500) failed.push(`${response.status()} ${response.url()}`);
  });
  // The panel must work under its content security policy: a blocked script or style is a failure.
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) failed.push(`CSP: ${message.text()}`);
  });
  return {
    t,
    floor,
    base,
    page,
    outside,
    failed,
    async signIn(role) {
      await page.goto(`${base}/admin/login`);
      await page.fill('input[name=email]', t.users[role].username);
      await page.fill('input[name=password]', TEST_PASSWORD);
      // Operators land on My work (http/routes/login.routes.ts), everyone else on the dashboard.
      const landing = role === 'operator' ? `${base}/admin/pages/myWork` : `${base}/admin`;
      await Promise.all([page.waitForURL(landing), page.getByRole('button', { name: 'Sign in' }).click()]);
    },
    async signOut() {
      await page.goto(`${base}/admin/logout`);
      await Promise.all([page.waitForURL(/\/admin\/login/), page.getByRole('button', { name: 'Sign out' }).click()]);
    },
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
    },
  };
}
