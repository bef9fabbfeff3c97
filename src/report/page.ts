/**
 * The pieces every HTML page of the report module shares: escaping, number formats, tables, the stylesheet
 * and the page frame. Pages are self-contained: inline CSS and SVG, no scripts, fonts or links.
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML content and attribute values.
 * @example escapeHtml('<5 & >2') // '&lt;5 &amp; &gt;2'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/** CJK fonts first where installed, so Chinese labels never fall back to boxes. */
export const FONT_FAMILY =
  'Helvetica, Arial, "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';

/** The stylesheet of every page. */
export const STYLE = `
body{font-family:${FONT_FAMILY};color:#222;margin:0;background:#f6f7f9}
main{max-width:1240px;margin:0 auto;padding:24px 32px 48px;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:36px 0 12px;border-bottom:2px solid #2471a3;padding-bottom:4px}
h3{font-size:15px;margin:24px 0 8px}
.sub{color:#666;margin:0 0 16px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0;font-size:14px}
dl.meta dt{color:#666}dl.meta dd{margin:0;font-family:Menlo,Consolas,monospace;word-break:break-all}
table{border-collapse:collapse;font-size:13px;margin:4px 0 12px}
th,td{padding:4px 10px;border-bottom:1px solid #e3e3e3;text-align:right;white-space:nowrap}
th{background:#f0f3f7;font-weight:600}th::first-letter,dl.meta dt::first-letter{text-transform:uppercase}th:first-child,td:first-child{text-align:left}
tr.total td{font-weight:600;border-top:2px solid #bbb}
table.words td:not(:first-child),table.words th:not(:first-child){text-align:left;white-space:normal;max-width:560px}
.metrics td:nth-child(2){font-family:Menlo,Consolas,monospace}.metrics td:last-child,.metrics th:last-child{text-align:left;white-space:normal;color:#555}
.grid{display:flex;flex-wrap:wrap;gap:24px}
.chart{flex:0 0 auto}.chart svg{display:block;max-width:100%;height:auto}
.bin{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start;margin-bottom:8px;border-bottom:1px solid #eee;padding-bottom:12px}
.band-stable{color:#1e8449}.band-moderate{color:#b9770e}.band-significant{color:#c0392b;font-weight:600}
.tag{display:inline-block;font-size:11px;padding:1px 6px;border-radius:3px;background:#fdebd0;color:#935116;margin-left:6px;vertical-align:middle}
.caveat{background:#fef9e7;border-left:4px solid #f1c40f;padding:8px 12px;font-size:13px;margin:12px 0}
.note{color:#666;font-size:13px}
footer{margin-top:40px;color:#888;font-size:12px}
`;

/** A number with fixed decimals, or — when not finite. */
export function num(v: number, digits = 4): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '—';
}

/** A share as a percentage, or — when not finite. */
export function pct(v: number, digits = 2): string {
  return Number.isFinite(v) ? `${(100 * v).toFixed(digits)}%` : '—';
}

/** A count with thousands separators (weighted counts keep one decimal). */
export function count(v: number): string {
  return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(1);
}

/** Yuan shown in 万 (10,000 yuan), as Chinese lenders read amounts. */
export function wan(yuan: number): string {
  return `${(yuan / 10_000).toLocaleString('en-US', { maximumFractionDigits: 1 })}万`;
}

/**
 * An HTML table; header texts are escaped, cells are HTML already (escape what comes from data).
 * @param options.total a last, bold row; options.className the table's class
 */
export function htmlTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: { readonly className?: string; readonly total?: readonly string[] } = {},
): string {
  const head = `<tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  const total =
    options.total === undefined
      ? ''
      : `\n<tr class="total">${options.total.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  const cls = options.className === undefined ? '' : ` class="${options.className}"`;
  return `<table${cls}>\n<thead>${head}</thead>\n<tbody>\n${body}${total}\n</tbody>\n</table>`;
}

/** A definition list of the page header. */
export function metaList(meta: readonly (readonly [string, string])[]): string {
  return `<dl class="meta">${meta.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

/** A whole page: doctype, head with the stylesheet, the body parts inside <main>, and a footer. */
export function htmlPage(lang: string, title: string, body: readonly string[], footer: string): string {
  return [
    '<!DOCTYPE html>',
    `<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body><main>',
    ...body,
    `<footer>${escapeHtml(footer)}</footer>`,
    '</main></body>',
    '</html>',
    '',
  ].join('\n');
}
