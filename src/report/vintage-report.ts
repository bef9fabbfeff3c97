import type { TopLevelSpec } from 'vega-lite';
import { GENERATED_BY } from '../core/artifact.js';
import type { Clock } from '../core/clock.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { textTable } from '../evaluation/model-evaluation.js';
import type { VintageAnalysis, VintageCohort } from '../evaluation/vintage.js';
import { BAD, CONFIG } from './charts.js';
import { bucketLabel, type Lang, text } from './i18n.js';
import { count, escapeHtml, htmlPage, htmlTable, metaList, pct, wan } from './page.js';
import { renderSvg } from './svg.js';

/** What the vintage report says about its input. */
export interface VintageReportOptions {
  readonly lang: Lang;
  /** The monitoring folder (or any label) shown in the header. */
  readonly inputLabel: string;
  /** When given, the header carries the time of generation. */
  readonly clock?: Clock;
  readonly logger?: Logger;
}

type CellValue = 'defaultRate' | 'defaultAmountRate' | 'compensationRate';

/** Vintage curves: one line per cohort, x = MOB, y = a cumulative rate; cohorts coloured in time order. */
function vintageSpec(
  cohorts: readonly VintageCohort[],
  value: CellValue,
  title: string,
  lang: Lang,
): TopLevelSpec {
  const values = cohorts.flatMap((c) =>
    c.cells.map((cell) => ({ cohort: c.cohort, mob: cell.mob, rate: cell[value] })),
  );
  return {
    config: CONFIG,
    title,
    width: 430,
    height: 280,
    data: { values },
    mark: { type: 'line', point: { size: 18 }, strokeWidth: 1.5 },
    encoding: {
      x: { field: 'mob', type: 'quantitative', title: text(lang, 'mob'), axis: { tickMinStep: 1 } },
      y: { field: 'rate', type: 'quantitative', title, axis: { format: '.1%' } },
      color: {
        field: 'cohort',
        type: 'ordinal',
        title: text(lang, 'cohort'),
        scale: { scheme: 'viridis' },
        legend: { orient: 'right', columns: 1 },
      },
      order: { field: 'mob', type: 'quantitative' },
    },
  } as TopLevelSpec;
}

/** The roll-rate matrix as a heat map with the rate written in each cell. */
function rollSpec(v: VintageAnalysis, lang: Lang): TopLevelSpec {
  const labels = v.roll.buckets.map((b) => bucketLabel(lang, b));
  const values = v.roll.rates.flatMap((row, i) =>
    row.map((rate, j) => ({
      from: labels[i],
      to: labels[j],
      rate: Number.isFinite(rate) ? rate : null,
      label: Number.isFinite(rate) ? pct(rate, 1) : '—',
    })),
  );
  const axis = (title: string) => ({
    field: title === 'from' ? 'from' : 'to',
    type: 'nominal',
    sort: labels,
  });
  return {
    config: CONFIG,
    title: text(lang, 'rollMatrix'),
    width: 360,
    height: 260,
    data: { values },
    encoding: {
      y: { ...axis('from'), title: lang === 'zh' ? '本月末' : 'from' },
      x: { ...axis('to'), title: lang === 'zh' ? '下月末' : 'to', axis: { orient: 'top', labelAngle: 0 } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: '#fff' },
        encoding: {
          color: {
            field: 'rate',
            type: 'quantitative',
            scale: { scheme: 'oranges', domain: [0, 1] },
            legend: null,
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'label', type: 'nominal' },
          color: { condition: { test: 'datum.rate > 0.6', value: '#fff' }, value: '#222' },
        },
      },
    ],
  } as TopLevelSpec;
}

/** Roll-forward rate by month, one line per from-bucket (90+ has none). */
function rollForwardSpec(v: VintageAnalysis, lang: Lang): TopLevelSpec {
  const buckets = v.roll.buckets.slice(0, -1).map((b) => bucketLabel(lang, b));
  const values = v.monthly.flatMap((m) =>
    buckets.flatMap((b, i) =>
      Number.isFinite(m.rollForward[i]) ? [{ month: m.month, bucket: b, rate: m.rollForward[i] }] : [],
    ),
  );
  return {
    config: CONFIG,
    title: text(lang, 'rollForward'),
    width: 520,
    height: 260,
    data: { values },
    mark: { type: 'line', point: { size: 20 } },
    encoding: {
      x: { field: 'month', type: 'ordinal', title: text(lang, 'month'), axis: { labelAngle: -45 } },
      y: { field: 'rate', type: 'quantitative', title: text(lang, 'rollForwardAxis'), axis: { format: '%' } },
      color: {
        field: 'bucket',
        type: 'nominal',
        title: null,
        sort: buckets,
        scale: { range: ['#2471a3', '#f39c12', '#d35400', BAD] },
        legend: { orient: 'top' },
      },
    },
  } as TopLevelSpec;
}

/** The cohort × MOB table of one rate; — past the MOB a cohort has reached. */
function cohortTable(v: VintageAnalysis, value: CellValue, lang: Lang): string {
  const maxMob = Math.max(0, ...v.cohorts.map((c) => c.cells.length));
  const mobs = Array.from({ length: maxMob }, (_, i) => i + 1);
  return htmlTable(
    [text(lang, 'cohort'), text(lang, 'loans'), text(lang, 'amount'), ...mobs.map((m) => `MOB ${m}`)],
    v.cohorts.map((c) => [
      escapeHtml(c.cohort),
      count(c.loans),
      wan(c.amount),
      ...mobs.map((m) => {
        const cell = c.cells[m - 1];
        return cell === undefined ? '' : pct(cell[value], 1);
      }),
    ]),
  );
}

function rollTable(v: VintageAnalysis, lang: Lang): string {
  const labels = v.roll.buckets.map((b) => bucketLabel(lang, b));
  return htmlTable(
    [text(lang, 'fromBucket'), ...labels, text(lang, 'loanMonths'), text(lang, 'exits')],
    v.roll.rates.map((row, i) => [
      escapeHtml(labels[i] as string),
      ...row.map((r) => pct(r, 1)),
      count(v.roll.rowTotals[i] as number),
      count(v.roll.exits[i] as number),
    ]),
  );
}

/**
 * The vintage report: a self-contained HTML page with the definitions, vintage curves (cumulative default
 * rate by count and by amount, and compensation rate where the data has it) as charts and cohort × MOB
 * tables, the roll-rate matrix as a heat map and a table, and the month-to-month roll-forward rates.
 * @example writeFileSync('vintage.html', await buildVintageReport(vintageAnalysis(loans, snaps), { lang: 'zh', inputLabel: 'data-samples/monitoring' }));
 */
export async function buildVintageReport(v: VintageAnalysis, options: VintageReportOptions): Promise<string> {
  const lang = options.lang;
  const logger = options.logger ?? silentLogger;
  const t = (k: Parameters<typeof text>[1], fill?: Parameters<typeof text>[2]) => text(lang, k, fill);
  const curves: [CellValue, string][] = [
    ['defaultRate', t('vintageByCount')],
    ['defaultAmountRate', t('vintageByAmount')],
    ...(v.hasCompensation ? [['compensationRate', t('compensationRate')] as [CellValue, string]] : []),
  ];
  const charts = await Promise.all([
    ...curves.map(([value, title], i) =>
      renderSvg(vintageSpec(v.cohorts, value, title, lang), `vintage${i + 1}`, logger),
    ),
    renderSvg(rollSpec(v, lang), 'roll', logger),
    renderSvg(rollForwardSpec(v, lang), 'rollfwd', logger),
  ]);
  const c = v.counts;
  const meta: [string, string][] = [
    [t('data'), options.inputLabel],
    [t('asOf'), v.asOf],
    [t('loans'), count(c.loans - c.loansWithoutSnapshots)],
    [t('snapshots'), count(c.snapshots - c.snapshotsWithoutLoan)],
    [t('defaults'), count(c.defaults)],
    [t('leftOut'), t('leftOutText', { a: c.loansWithoutSnapshots, b: c.snapshotsWithoutLoan, c: c.gaps })],
    [t('generatedBy'), GENERATED_BY],
    ...(options.clock === undefined
      ? []
      : [[t('generatedAt'), options.clock.now().toISOString()] as [string, string]]),
  ];
  const defs = [
    t('defVintage'),
    t('defDefault', { d: v.options.defaultDays }),
    t('defRates'),
    v.hasCompensation ? t('defCompensation') : t('noCompensation'),
    t('defRoll'),
  ];
  const body = [
    `<h1>${escapeHtml(t('vintageTitle'))}</h1>`,
    metaList(meta),
    `<h2>${escapeHtml(t('definitions'))}</h2>`,
    `<ul class="note">${defs.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>`,
    `<h2>${escapeHtml(t('vintageCurves'))}</h2>`,
    `<div class="grid">${charts
      .slice(0, curves.length)
      .map((svg) => `<div class="chart">${svg}</div>`)
      .join('\n')}</div>`,
    ...curves.flatMap(([value, title]) => [`<h3>${escapeHtml(title)}</h3>`, cohortTable(v, value, lang)]),
    `<h2>${escapeHtml(t('rollMatrix'))}</h2>`,
    `<div class="grid"><div class="chart">${charts[curves.length]}</div><div>${rollTable(v, lang)}</div></div>`,
    `<h3>${escapeHtml(t('rollForward'))}</h3>`,
    `<div class="chart">${charts[curves.length + 1]}</div>`,
  ];
  return htmlPage(lang, t('vintageTitle'), body, `${GENERATED_BY} · ${t('footerCharts')}`);
}

/**
 * The vintage analysis as plain text for a terminal: cumulative default rate by cohort × MOB, then the
 * roll-rate matrix.
 * @example io.stdout.write(formatVintage(vintageAnalysis(loans, snaps), 'en'));
 */
export function formatVintage(v: VintageAnalysis, lang: Lang): string {
  const maxMob = Math.max(0, ...v.cohorts.map((c) => c.cells.length));
  const mobs = Array.from({ length: maxMob }, (_, i) => i + 1);
  const c = v.counts;
  const lines = [
    `${text(lang, 'vintageTitle')} — ${text(lang, 'asOf')} ${v.asOf}; ${text(lang, 'loans')} ${c.loans - c.loansWithoutSnapshots}, ${text(lang, 'defaults')} ${c.defaults}`,
    `${text(lang, 'leftOut')}: ${text(lang, 'leftOutText', { a: c.loansWithoutSnapshots, b: c.snapshotsWithoutLoan, c: c.gaps })}`,
    '',
    text(lang, 'vintageByCount'),
    ...textTable(
      [text(lang, 'cohort'), text(lang, 'loans'), ...mobs.map(String)],
      v.cohorts.map((co) => [
        co.cohort,
        String(co.loans),
        ...mobs.map((m) => {
          const cell = co.cells[m - 1];
          return cell === undefined ? '' : pct(cell.defaultRate, 1);
        }),
      ]),
    ),
    '',
    text(lang, 'rollMatrix'),
    ...textTable(
      [
        text(lang, 'fromBucket'),
        ...v.roll.buckets.map((b) => bucketLabel(lang, b)),
        text(lang, 'loanMonths'),
        text(lang, 'exits'),
      ],
      v.roll.rates.map((row, i) => [
        bucketLabel(lang, v.roll.buckets[i] as string),
        ...row.map((r) => pct(r, 1)),
        String(v.roll.rowTotals[i]),
        String(v.roll.exits[i]),
      ]),
    ),
  ];
  return `${lines.join('\n')}\n`;
}
