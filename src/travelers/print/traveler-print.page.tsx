import QRCode from 'qrcode';
import React from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { TravelerPrintData } from '../traveler-print.service.js';
import { PRINT_STYLE } from './print-styles.js';
import { TravelerSheet, type PrintPageOptions } from './traveler-sheet.js';

/**
 * The printable traveler: one standalone HTML document that the browser prints (or saves as PDF).
 * It loads nothing: styles and the one script are inline and constant, so the page keeps working
 * on a shop network without internet and can carry a strict Content-Security-Policy (print-csp.ts).
 */

/** The complete HTML document of a printed traveler. */
export async function renderTravelerPrintPage(data: TravelerPrintData, options: PrintPageOptions): Promise<string> {
  const qrSvg = await QRCode.toString(options.recordUrl, { type: 'svg', margin: 1 });
  return `<!DOCTYPE html>${renderToStaticMarkup(<TravelerSheet data={data} options={options} qrSvg={qrSvg} />)}`;
}

/** A short page for a refusal (not found, not allowed), in the same look, with a way back. */
export function renderMessagePage(title: string, message: string, backUrl: string): string {
  return `<!DOCTYPE html>${renderToStaticMarkup(
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <title>{title}</title>
        <style dangerouslySetInnerHTML={{ __html: PRINT_STYLE }} />
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
