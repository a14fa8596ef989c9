import crypto from 'node:crypto';
import QRCode from 'qrcode';
import React from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { DISPOSITION_LABELS } from '../models/constants.js';
import type { LaborSummary, StepLabor } from './labor.service.js';
import type { PrintManualStep, PrintRoutingStep, PrintStep, PrintSubStep, TravelerPrintData } from './traveler-print.service.js';

/**
 * The printable traveler: one standalone HTML document that the browser prints (or saves as PDF).
 * It loads nothing: styles and the one script are inline and constant, so the page keeps working
 * on a shop network without internet and can carry a strict Content-Security-Policy (below).
 */

const FONT_STACK = `system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif`;

const STYLE = `
*{box-sizing:border-box;-webkit-print-color-adjust:exact;print-color-adjust:exact}
html{background:#e9ecef}
body{margin:0;font:10.5pt/1.35 ${FONT_STACK};color:#111}
.toolbar{position:sticky;top:0;display:flex;gap:12px;align-items:center;justify-content:center;padding:8px;background:#1f2937;color:#fff;z-index:1}
.toolbar button{font:inherit;font-weight:600;padding:6px 16px;border:0;border-radius:4px;background:#fff;color:#111;cursor:pointer}
.toolbar a{color:#cde;font-weight:600}
.sheet{max-width:210mm;margin:16px auto;padding:12mm 10mm;background:#fff;box-shadow:0 1px 6px rgba(0,0,0,.25)}
.top{display:flex;gap:16px;align-items:flex-start;justify-content:space-between;border-bottom:2px solid #111;padding-bottom:8px}
h1{font-size:18pt;margin:0 0 6px}
h2{font-size:12.5pt;margin:16px 0 6px;padding-bottom:2px;border-bottom:1px solid #999;break-after:avoid;page-break-after:avoid}
.qr{flex:none;width:32mm;text-align:center;font-weight:700;font-size:10pt}
.qr svg{display:block;width:32mm;height:32mm}
.qr .url{display:block;font-weight:400;font-size:6.5pt;word-break:break-all;color:#333}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:3px 5px}
thead{display:table-header-group}
.header th{width:20%;color:#444;font-weight:600;white-space:nowrap}
.header td{width:30%}
.header th,.header td{border-bottom:1px solid #ddd}
.uncontrolled{margin:6px 0 0;font-size:8.5pt;color:#444}
.notes{white-space:pre-wrap}
.step{border:1px solid #555;margin:0 0 8px;padding:6px 8px;break-inside:avoid;page-break-inside:avoid}
.step.manual{border-style:dashed;background:#fffbea}
.step-head{display:flex;flex-wrap:wrap;gap:4px 12px;align-items:baseline}
.step-no{font-size:13pt;font-weight:700;min-width:2.5em}
.op{font-weight:700;flex:1 1 50%}
.meta{font-size:9pt;color:#333}
.badge{display:inline-block;border:1px solid #333;border-radius:3px;padding:0 4px;font-size:8pt;font-weight:700;text-transform:uppercase;letter-spacing:.03em}
.badge.completed{background:#e3f4e6}
.badge.in_progress{background:#e3edfa}
.badge.manual{background:#ffe9a8}
.instructions,.reason{margin:4px 0;white-space:pre-wrap}
.checks{margin:6px 0;font-size:9.5pt}
.checks th{border-bottom:1px solid #555;font-size:8.5pt;color:#333}
.checks td{border-bottom:1px solid #ddd}
.checks tr{break-inside:avoid;page-break-inside:avoid}
.box{display:inline-block;width:11px;height:11px;border:1px solid #111;line-height:9px;text-align:center;font-size:9px}
.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.oot{color:#b00020;font-weight:700}
.disposition{font-size:8.5pt;color:#111;font-weight:400}
.blank{display:inline-block;min-width:32mm;border-bottom:1px solid #111}
.signoff{display:flex;gap:24px;margin-top:6px;padding-top:4px;border-top:1px dotted #888;font-size:9.5pt}
.signoff .signed{font-weight:600}
.labor td,.labor th{border-bottom:1px solid #ddd}
.labor tfoot td{border-top:2px solid #111;font-weight:700}
.footer{margin-top:14px;font-size:8pt;color:#555}
.not-for-work{margin:8px 0;padding:6px 10px;border:3px solid #a40000;color:#a40000;font-weight:800;font-size:12pt;letter-spacing:.02em}
.watermark{position:fixed;top:40%;left:0;right:0;text-align:center;font-size:110pt;font-weight:800;color:rgba(164,0,0,.13);transform:rotate(-28deg);pointer-events:none;z-index:0}
@page{margin:12mm 10mm}
@media print{
  html,body{background:#fff}
  .toolbar{display:none}
  .sheet{max-width:none;margin:0;padding:0;box-shadow:none}
  a{color:inherit;text-decoration:none}
}
`;

/** Opens the browser's print dialog; constant, so a Content-Security-Policy can allow it by hash. */
export const PRINT_SCRIPT = `document.getElementById('print-button').addEventListener('click',function(){window.print();});`;

const sha256 = (text: string) => `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Only this page's own style and script run; nothing is loaded, posted or framed elsewhere. */
export const PRINT_PAGE_CSP = [
  `default-src 'none'`,
  `script-src ${sha256(PRINT_SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  `img-src 'self' data:`,
  `base-uri 'none'`,
  `form-action 'none'`,
  `frame-ancestors 'self'`,
].join('; ');

// ------------------------------------------------------------------ formatting

const pad = (n: number) => String(n).padStart(2, '0');

/** Server-local time: the shop's clock, as on the floor. */
export function formatTime(value: Date | null): string {
  if (!value) return '';
  return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())} ${pad(value.getHours())}:${pad(value.getMinutes())}`;
}

export const formatHours = (hours: number) => hours.toFixed(2);

const decimalsOf = (n: number) => (String(n).split('.')[1] ?? '').length;

/** Limits are printed with the same number of decimals, the tolerance's precision. */
function limitDecimals(sub: Pick<PrintSubStep, 'lower_limit' | 'upper_limit'>): number {
  return Math.max(sub.lower_limit === null ? 0 : decimalsOf(sub.lower_limit), sub.upper_limit === null ? 0 : decimalsOf(sub.upper_limit));
}

const withUnit = (text: string, unit: string | null) => (unit ? `${text} ${unit}` : text);

export function formatSpec(sub: Pick<PrintSubStep, 'lower_limit' | 'upper_limit' | 'unit'>): string {
  const d = limitDecimals(sub);
  const { lower_limit: lo, upper_limit: hi } = sub;
  if (lo !== null && hi !== null) return withUnit(`${lo.toFixed(d)} – ${hi.toFixed(d)}`, sub.unit);
  if (lo !== null) return withUnit(`≥ ${lo.toFixed(d)}`, sub.unit);
  if (hi !== null) return withUnit(`≤ ${hi.toFixed(d)}`, sub.unit);
  return '';
}

/** A measurement is shown to at least the limits' precision, never rounded below what was stored. */
export function formatMeasured(sub: Pick<PrintSubStep, 'lower_limit' | 'upper_limit' | 'unit' | 'measured_value'>): string {
  if (sub.measured_value === null) return '';
  return withUnit(sub.measured_value.toFixed(Math.max(limitDecimals(sub), decimalsOf(sub.measured_value))), sub.unit);
}

const statusLabel = (status: string) => status.charAt(0).toUpperCase() + status.slice(1).replace(/_/g, ' ');

// ------------------------------------------------------------------ parts of the page

function HeaderTable({ data }: { data: TravelerPrintData }) {
  const h = data.header;
  return (
    <table className="header" data-testid="print-header">
      <tbody>
        <tr>
          <th>Traveler</th>
          <td data-testid="header-traveler">{h.number}</td>
          <th>Status</th>
          <td data-testid="header-status">
            {statusLabel(h.status)}
            {h.status_reason ? ` — ${h.status_reason}` : null}
          </td>
        </tr>
        <tr>
          <th>Work order</th>
          <td data-testid="header-work-order">{h.work_order_number}</td>
          <th>Quantity</th>
          <td data-testid="header-quantity">{h.quantity}</td>
        </tr>
        <tr>
          <th>Part</th>
          <td data-testid="header-part">
            {h.part_number} — {h.part_description}
          </td>
          <th>Revision</th>
          <td data-testid="header-revision">{h.revision_code}</td>
        </tr>
        <tr>
          <th>Customer</th>
          <td data-testid="header-customer">
            {h.customer_name} ({h.customer_code})
          </td>
          <th>Due date</th>
          <td data-testid="header-due-date">{h.due_date ?? '—'}</td>
        </tr>
        <tr>
          <th>Released</th>
          <td>{formatTime(h.released_at) || '—'}</td>
          <th>Started</th>
          <td>{formatTime(h.started_at) || '—'}</td>
        </tr>
        <tr>
          <th>Completed</th>
          <td>{formatTime(h.completed_at) || '—'}</td>
          <th>Printed</th>
          <td>{formatTime(data.printedAt)}</td>
        </tr>
        {h.notes ? (
          <tr>
            <th>Notes</th>
            <td colSpan={3} className="notes" data-testid="header-notes">
              {h.notes}
            </td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );
}

function Disposition({ sub }: { sub: PrintSubStep }) {
  if (!sub.out_of_limits) return null;
  if (!sub.disposition) return <div className="disposition">Awaiting quality disposition</div>;
  return (
    <div className="disposition" data-testid={`disposition-${sub.id}`}>
      Disposition: {DISPOSITION_LABELS[sub.disposition] ?? sub.disposition}, by {sub.disposition_by} at {formatTime(sub.disposition_at)}: {sub.disposition_note}
    </div>
  );
}

function Checks({ subSteps }: { subSteps: PrintSubStep[] }) {
  if (subSteps.length === 0) return null;
  return (
    <table className="checks">
      <thead>
        <tr>
          <th aria-label="Done"></th>
          <th>#</th>
          <th>Check</th>
          <th className="num">Spec</th>
          <th className="num">Measured</th>
          <th>Result</th>
          <th>Done by</th>
        </tr>
      </thead>
      <tbody>
        {subSteps.map((sub) => (
          <tr key={sub.id} data-testid={`check-${sub.id}`}>
            <td>
              <span className="box">{sub.completed_at ? '✓' : ''}</span>
            </td>
            <td>{sub.sequence}</td>
            <td>{sub.description}</td>
            <td className="num">{formatSpec(sub) || (sub.requires_measurement ? 'record value' : '—')}</td>
            <td className="num">{sub.measured_value !== null ? formatMeasured(sub) : sub.requires_measurement ? <span className="blank"></span> : null}</td>
            <td>
              {sub.out_of_limits ? <span className="oot">OUT OF LIMITS</span> : sub.completed_at ? 'OK' : null}
              <Disposition sub={sub} />
            </td>
            <td>{sub.completed_at ? `${sub.completed_by} ${formatTime(sub.completed_at)}` : <span className="blank"></span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SignOff({ step }: { step: PrintStep }) {
  return (
    <div className="signoff" data-testid="signoff">
      {step.status === 'completed' ? (
        <span className="signed">
          Signed by {step.completed_by} at {formatTime(step.completed_at)}
        </span>
      ) : (
        <span className="open">
          Signed <span className="blank"></span> Date <span className="blank"></span>
        </span>
      )}
      {step.started_at ? <span>Started {formatTime(step.started_at)}</span> : null}
    </div>
  );
}

function LaborLine({ step, labor }: { step: PrintStep; labor: StepLabor | undefined }) {
  return (
    <span className="meta">
      Est. {formatHours(step.estimated_hours)} h · Actual {formatHours(labor?.actual_hours ?? 0)} h
      {labor?.clocked_in ? ` · ${labor.clocked_in} clocked in now` : ''}
    </span>
  );
}

function RoutingStep({ step, labor }: { step: PrintRoutingStep; labor: StepLabor | undefined }) {
  return (
    <section className={`step ${step.status}`} data-testid={`step-${step.step_number}`}>
      <div className="step-head">
        <span className="step-no">{step.step_number}</span>
        <span className="op">{step.operation}</span>
        <span className={`badge ${step.status}`}>{statusLabel(step.status)}</span>
      </div>
      <div className="step-head">
        <span className="meta">
          {step.work_center.code} · {step.work_center.name}
        </span>
        <LaborLine step={step} labor={labor} />
        {step.is_parallel ? <span className="meta">May run alongside the step before it</span> : null}
      </div>
      {step.instructions ? <p className="instructions">{step.instructions}</p> : null}
      <Checks subSteps={step.sub_steps} />
      <SignOff step={step} />
    </section>
  );
}

function ManualStep({ step, labor }: { step: PrintManualStep; labor: StepLabor | undefined }) {
  return (
    <section className={`step manual ${step.status}`} data-testid={`manual-step-${step.id}`}>
      <div className="step-head">
        <span className="step-no">+</span>
        <span className="op">{step.operation}</span>
        <span className={`badge ${step.status}`}>{statusLabel(step.status)}</span>
      </div>
      <div className="step-head">
        <span className="badge manual">Manual step (after step {step.after_step_number})</span>
        <span className="meta">{step.work_center ? `${step.work_center.code} · ${step.work_center.name}` : 'No work center'}</span>
        <LaborLine step={step} labor={labor} />
        <span className="meta">Added by {step.added_by}</span>
      </div>
      <p className="reason">Reason: {step.reason}</p>
      {step.instructions ? <p className="instructions">{step.instructions}</p> : null}
      <SignOff step={step} />
    </section>
  );
}

function LaborTable({ labor, centerNames }: { labor: LaborSummary; centerNames: Map<string, string> }) {
  const clockedIn = labor.steps.reduce((n, s) => n + s.clocked_in, 0);
  return (
    <>
      <table className="labor" data-testid="labor-summary">
        <thead>
          <tr>
            <th>Work center</th>
            <th className="num">Estimated h</th>
            <th className="num">Actual h</th>
            <th className="num">Difference h</th>
          </tr>
        </thead>
        <tbody>
          {labor.byWorkCenter.map((c) => (
            <tr key={c.work_center} data-testid={`labor-${c.work_center}`}>
              <td>
                {c.work_center}
                {centerNames.has(c.work_center) ? ` · ${centerNames.get(c.work_center)}` : ''}
              </td>
              <td className="num">{formatHours(c.estimated_hours)}</td>
              <td className="num">{formatHours(c.actual_hours)}</td>
              <td className="num">{formatHours(c.actual_hours - c.estimated_hours)}</td>
            </tr>
          ))}
          {labor.unassigned_hours ? (
            <tr data-testid="labor-unassigned">
              <td>Not booked to a step</td>
              <td className="num"></td>
              <td className="num">{formatHours(labor.unassigned_hours)}</td>
              <td className="num"></td>
            </tr>
          ) : null}
        </tbody>
        <tfoot>
          <tr data-testid="labor-total">
            <td>Total</td>
            <td className="num">{formatHours(labor.total.estimated_hours)}</td>
            <td className="num">{formatHours(labor.total.actual_hours)}</td>
            <td className="num">{formatHours(labor.total.actual_hours - labor.total.estimated_hours)}</td>
          </tr>
        </tfoot>
      </table>
      {clockedIn ? <p className="meta">{clockedIn} clocked in now: open time counts once they clock out.</p> : null}
    </>
  );
}

export interface PrintPageOptions {
  /** The traveler's page in the panel: what the QR code opens. */
  recordUrl: string;
  /** Where the toolbar's back link goes (the same page, relative to this server). */
  backUrl: string;
  printedBy: string;
}

/**
 * A copy that must not be worked to says so on every printed page: a draft is not released for
 * production, a cancelled traveler is void. (The watermark is fixed, so Chromium repeats it.)
 */
const NOT_FOR_WORK: Record<string, { mark: string; reason: string }> = {
  draft: { mark: 'DRAFT', reason: 'DRAFT: not released for production. Do not work to this copy.' },
  cancelled: { mark: 'VOID', reason: 'CANCELLED: this traveler is void. Do not work to this copy.' },
};

function TravelerPrintPage({ data, options, qrSvg }: { data: TravelerPrintData; options: PrintPageOptions; qrSvg: string }) {
  const h = data.header;
  const laborOf = new Map(data.labor.steps.map((s) => [`${s.kind}:${s.id}`, s]));
  const centerNames = new Map<string, string>();
  for (const s of data.steps) if (s.work_center) centerNames.set(s.work_center.code, s.work_center.name);
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`Traveler ${h.number}`}</title>
        <style dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body>
        <nav className="toolbar">
          <button type="button" id="print-button">
            Print / Save as PDF
          </button>
          {/* The panel also shows this page in a frame: going back leaves the frame. */}
          <a href={options.backUrl} target="_top">
            Back to traveler {h.number}
          </a>
        </nav>
        <main className="sheet">
          {NOT_FOR_WORK[h.status] ? (
            <div className="watermark" aria-hidden="true" data-testid="watermark">
              {NOT_FOR_WORK[h.status]!.mark}
            </div>
          ) : null}
          <div className="top">
            <div>
              <h1>{NOT_FOR_WORK[h.status] ? `${NOT_FOR_WORK[h.status]!.mark} ` : ''}Traveler {h.number}</h1>
              {NOT_FOR_WORK[h.status] ? (
                <p className="not-for-work" role="note" data-testid="not-for-work">
                  {NOT_FOR_WORK[h.status]!.reason}
                </p>
              ) : null}
              <HeaderTable data={data} />
              <p className="uncontrolled">Printed copy: the traveler in NEXUS is the record. Scan the code to open it.</p>
            </div>
            <div className="qr" data-testid="qr">
              {/* The library's own SVG markup (it encodes our URL); never data typed by a person. */}
              <div dangerouslySetInnerHTML={{ __html: qrSvg }} />
              <div data-testid="qr-number">{h.number}</div>
              <a className="url" href={options.recordUrl} data-testid="qr-url">
                {options.recordUrl}
              </a>
            </div>
          </div>

          <h2>Steps</h2>
          {data.steps.length === 0 ? <p>This traveler has no steps.</p> : null}
          {data.steps.map((step) =>
            step.kind === 'routing' ? (
              <RoutingStep key={`r${step.id}`} step={step} labor={laborOf.get(`routing:${step.id}`)} />
            ) : (
              <ManualStep key={`m${step.id}`} step={step} labor={laborOf.get(`manual:${step.id}`)} />
            ),
          )}

          <h2>Labor summary</h2>
          <LaborTable labor={data.labor} centerNames={centerNames} />

          <p className="footer">
            Printed {formatTime(data.printedAt)} by {options.printedBy}. Times are shop time ({Intl.DateTimeFormat().resolvedOptions().timeZone}).
          </p>
        </main>
        <script dangerouslySetInnerHTML={{ __html: PRINT_SCRIPT }} />
      </body>
    </html>
  );
}

/** The complete HTML document of a printed traveler. */
export async function renderTravelerPrintPage(data: TravelerPrintData, options: PrintPageOptions): Promise<string> {
  const qrSvg = await QRCode.toString(options.recordUrl, { type: 'svg', margin: 1 });
  return `<!DOCTYPE html>${renderToStaticMarkup(<TravelerPrintPage data={data} options={options} qrSvg={qrSvg} />)}`;
}

/** A short page for a refusal (not found, not allowed), in the same look, with a way back. */
export function renderMessagePage(title: string, message: string, backUrl: string): string {
  return `<!DOCTYPE html>${renderToStaticMarkup(
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <title>{title}</title>
        <style dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body>
        <main className="sheet">
          <h1>{title}</h1>
          <p>{message}</p>
          <p>
            <a href={backUrl}>Back to the travelers</a>
          </p>
        </main>
      </body>
    </html>,
  )}`;
}
