/**
 * The printed traveler's whole look, inline in the page: the page loads nothing, so that it prints
 * on a shop network without internet, and the Content-Security-Policy allows exactly this text by
 * its hash (print-csp.ts): any change here changes the hash with it.
 */

const FONT_STACK = `system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif`;

export const PRINT_STYLE = `
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
