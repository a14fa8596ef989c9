import crypto from 'node:crypto';
import { PRINT_STYLE } from './print-styles.js';

/** Opens the browser's print dialog; constant, so a Content-Security-Policy can allow it by hash. */
export const PRINT_SCRIPT = `document.getElementById('print-button').addEventListener('click',function(){window.print();});`;

const sha256 = (text: string) => `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Only this page's own style and script run; nothing is loaded, posted or framed elsewhere. */
export const PRINT_PAGE_CSP = [
  `default-src 'none'`,
  `script-src ${sha256(PRINT_SCRIPT)}`,
  `style-src ${sha256(PRINT_STYLE)}`,
  `img-src 'self' data:`,
  `base-uri 'none'`,
  `form-action 'none'`,
  `frame-ancestors 'self'`,
].join('; ');
