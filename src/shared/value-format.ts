/**
 * How NEXUS writes a value for people: one format for dates and times (with the zone), Yes/No,
 * decimals at their scale, a browser named by its make and system. Shared by the server (History,
 * the audit log, the CSV export) and the panel's components, so it uses nothing but the language
 * and Intl: no Node module, no `process`, no DOM.
 */

/** Whether the runtime knows the IANA zone ("Europe/Berlin", "UTC"). */
export function isTimeZone(zone: string): boolean {
  if (!zone || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function partsOf(at: Date, timeZone: string): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(at)) parts[part.type] = part.value;
  return parts;
}

/** A moment from a Date, an ISO text or PostgreSQL's timestamptz text; null when it is none. */
export function toMoment(value: Date | string | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  // PostgreSQL's text form ("2026-03-14 09:05:12.123456+01") is ISO but for the space and the short offset.
  const iso = value
    .trim()
    .replace(/^(\d{4}-\d{2}-\d{2}) /, '$1T')
    .replace(/([+-]\d{2})$/, '$1:00');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso)) return null;
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? null : at;
}

/**
 * The one way NEXUS writes a moment: "2026-03-14 09:05:12 CET", in the given zone (the shop's),
 * named. Sortable, unambiguous between shops that write 03/14 and 14/03, and the same on every
 * page and in the CSV. A text that is no moment is returned as it was.
 */
export function formatDateTime(value: Date | string, timeZone: string): string {
  const at = toMoment(value);
  if (!at) return String(value);
  const p = partsOf(at, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${p.timeZoneName}`;
}

/** How far the zone's wall clock is ahead of UTC at that moment, in milliseconds. */
function offsetAt(at: Date, timeZone: string): number {
  const p = partsOf(at, timeZone);
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * The moment a calendar day ("2026-03-14") starts in the zone; null for a text that is no real
 * day (2026-02-30). A day that starts in a clock change starts at its first existing minute.
 */
export function startOfDayIn(day: string, timeZone: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // setUTCFullYear, not Date.UTC: that one reads the year 99 as 1999.
  const check = new Date(0);
  check.setUTCFullYear(year, month - 1, date);
  const utc = check.getTime();
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== date) return null;
  let guess = utc;
  for (let i = 0; i < 3; i++) {
    const next = utc - offsetAt(new Date(guess), timeZone);
    if (next === guess) break;
    guess = next;
  }
  return new Date(guess);
}

/** A calendar date (a due date) is a day, not a moment: "2026-03-14", in no zone. */
export function formatDate(value: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})(?:$|T00:00:00(?:\.0+)?(?:Z|[+-]00(?::?00)?)?$)/.exec(value.trim());
  return match ? match[1]! : value;
}

const TRUE_TEXTS = new Set(['true', 't', '1', 'yes']);
const FALSE_TEXTS = new Set(['false', 'f', '0', 'no']);

/** "Yes" or "No"; anything else as it was. */
export function formatYesNo(value: string | boolean): string {
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  const text = value.trim().toLowerCase();
  if (TRUE_TEXTS.has(text)) return 'Yes';
  if (FALSE_TEXTS.has(text)) return 'No';
  return value;
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/** How many decimals a decimal text really has, trailing zeros aside ("25.4000" has 1). */
export function significantDecimals(value: string): number {
  const match = DECIMAL.exec(value.trim());
  return match ? (match[3] ?? '').replace(/0+$/, '').length : 0;
}

/**
 * A decimal text with exactly `decimals` decimals where that loses nothing, and more where the
 * value has more: never rounded, so "25.4730" at 2 decimals is "25.473", "25.4000" is "25.40".
 * Worked on the text, not a float: 14 digits stay exact.
 */
export function formatDecimal(value: string, decimals: number): string {
  const match = DECIMAL.exec(value.trim());
  if (!match) return value;
  const [, sign, whole, fraction = ''] = match;
  const kept = fraction.replace(/0+$/, '');
  const digits = kept.length >= decimals ? kept : kept.padEnd(decimals, '0');
  const intPart = whole!.replace(/^0+(?=\d)/, '');
  const negative = sign === '-' && /[1-9]/.test(intPart + digits);
  return `${negative ? '-' : ''}${intPart}${digits ? `.${digits}` : ''}`;
}

/** "in_progress" → "In progress": a code as a label, as the panel's badges write it. */
export function startCase(text: string): string {
  return text.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

interface Pattern {
  name: string;
  match: RegExp;
  /** Said after the version: "Chrome 120 (headless)". */
  note?: string;
}

// Order matters: Edge, Opera and Samsung Internet also say "Chrome", Chrome also says "Safari".
const BROWSERS: Pattern[] = [
  { name: 'Edge', match: /\b(?:Edg|EdgA|EdgiOS|Edge)\/(\d+)/ },
  { name: 'Opera', match: /\b(?:OPR|Opera)\/(\d+)/ },
  { name: 'Samsung Internet', match: /\bSamsungBrowser\/(\d+)/ },
  { name: 'Firefox', match: /\b(?:Firefox|FxiOS)\/(\d+)/ },
  { name: 'Chrome', match: /\bHeadlessChrome\/(\d+)/, note: ' (headless)' },
  { name: 'Chrome', match: /\b(?:Chrome|CriOS)\/(\d+)/ },
  { name: 'Chromium', match: /\bChromium\/(\d+)/ },
  { name: 'Safari', match: /\bVersion\/(\d+)(?:[.\d]*)?(?: Mobile\/\S+)? Safari\// },
];

const SYSTEMS: Pattern[] = [
  { name: 'iOS', match: /\b(?:iPhone|iPad|iPod)\b/ },
  { name: 'Android', match: /\bAndroid\b/ },
  { name: 'ChromeOS', match: /\bCrOS\b/ },
  { name: 'Windows', match: /\bWindows\b/ },
  { name: 'macOS', match: /\bMac OS X\b|\bMacintosh\b/ },
  { name: 'Linux', match: /\bLinux\b|\bX11\b/ },
];

/**
 * A user agent as people name it: "Chrome 156 on Linux", "Safari 17 on iOS". A program that is
 * no browser is named by its first product ("curl 8.5.0"). The full text stays with the caller,
 * to be shown on demand.
 */
export function collapseUserAgent(userAgent: string | null | undefined): string | null {
  const ua = userAgent?.trim();
  if (!ua) return null;
  const system = SYSTEMS.find((s) => s.match.test(ua))?.name;
  for (const browser of BROWSERS) {
    const match = browser.match.exec(ua);
    if (match) return `${browser.name} ${match[1]}${browser.note ?? ''}${system ? ` on ${system}` : ''}`;
  }
  const product = /^([A-Za-z][\w.-]{0,40})(?:\/([\w.-]{1,20}))?/.exec(ua);
  if (product && product[1] !== 'Mozilla') return `${product[1]}${product[2] ? ` ${product[2]}` : ''}${system ? ` on ${system}` : ''}`;
  return system ? `A browser on ${system}` : ua.slice(0, 60);
}

/**
 * Who acted, as the audit views name them: "Test engineer (engineer.user)", "System (seeder)",
 * "Not signed in (typed “jdoe”)" for a refused sign-in.
 */
export function formatActor(actor: { kind: string; username: string; name: string | null }): string {
  if (actor.kind === 'system') return `System (${actor.username.replace(/^system:/, '')})`;
  if (actor.kind === 'anonymous') return `Not signed in (typed “${actor.username}”)`;
  return actor.name && actor.name !== actor.username ? `${actor.name} (${actor.username})` : actor.username;
}
