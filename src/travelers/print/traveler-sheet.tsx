import React from 'react';
import type { TravelerPrintData } from '../traveler-print.service.js';
import { HeaderTable } from './header-table.js';
import { LaborTable } from './labor-table.js';
import { PRINT_SCRIPT } from './print-csp.js';
import { formatTime } from './print-format.js';
import { PRINT_STYLE } from './print-styles.js';
import { ManualStep, RoutingStep } from './step-section.js';

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

/** The whole printed traveler as one document: toolbar, header with QR code, steps, labor. */
export function TravelerSheet({ data, options, qrSvg }: { data: TravelerPrintData; options: PrintPageOptions; qrSvg: string }) {
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
        <style dangerouslySetInnerHTML={{ __html: PRINT_STYLE }} />
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
              <h1>
                {NOT_FOR_WORK[h.status] ? `${NOT_FOR_WORK[h.status]!.mark} ` : ''}Traveler {h.number}
              </h1>
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
