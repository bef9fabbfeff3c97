/**
 * Reading the values real exports write: dates in any of the spellings Chinese finance systems and Excel
 * produce, and numbers with thousands separators, currency signs, percent signs and 万 units. Each parser
 * returns undefined for what it cannot read, so the caller names the cell and the value received.
 */

/** Excel's day 0 (1899-12-30, which absorbs its 1900 leap-year bug) in Unix milliseconds. */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;

function iso(year: number, month: number, day: number): string | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1900 || year > 2200) return undefined;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCMonth() !== month - 1) return undefined; // 2017-02-30
  return d.toISOString().slice(0, 10);
}

/** The ISO date of an Excel serial day number (45000 → 2023-03-15). */
export function excelSerialDate(serial: number): string | undefined {
  if (!Number.isFinite(serial) || serial < 1 || serial > 109_575) return undefined;
  return new Date(EXCEL_EPOCH_MS + Math.floor(serial) * DAY_MS).toISOString().slice(0, 10);
}

const YMD = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const YM = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$/;

/**
 * A date cell as YYYY-MM-DD: `2017-07-18`, `2017/7/18`, `2017.7.18`, `2017年7月18日`, `20170718`, a
 * timestamp `2017-07-18 10:32:00`, a JS Date (exceljs reads date cells as UTC dates) or an Excel serial day
 * number (45000, or "45000" when `serial` allows text digits too). Undefined when it reads as none.
 * @example parseDate('2017/7/18') // '2017-07-18'; parseDate(42934) // '2017-07-18'
 */
export function parseDate(value: unknown): string | undefined {
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? undefined : value.toISOString().slice(0, 10);
  if (typeof value === 'number') return excelSerialDate(value);
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  let m = YMD.exec(t);
  if (m !== null) return iso(Number(m[1]), Number(m[2]), Number(m[3]));
  m = COMPACT.exec(t);
  if (m !== null) return iso(Number(m[1]), Number(m[2]), Number(m[3]));
  if (/^\d{1,6}(\.\d+)?$/.test(t)) return excelSerialDate(Number(t));
  return undefined;
}

/** A month cell as YYYY-MM: any date `parseDate` reads, or `2017-07`, `2017/7`, `2017年7月`, `201707`. */
export function parseMonth(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const t = value.trim();
    const m = YM.exec(t) ?? /^(\d{4})(\d{2})$/.exec(t);
    if (m !== null) {
      const month = Number(m[2]);
      return month >= 1 && month <= 12 ? `${m[1]}-${String(month).padStart(2, '0')}` : undefined;
    }
  }
  return parseDate(value)?.slice(0, 7);
}

/** Units a number cell may be written in: yuan as is, 万 (×10,000), percent (÷100, stored as a fraction). */
export type Unit = 'yuan' | 'wan' | 'percent';

const CURRENCY = /^[¥￥$€£]|元$|RMB|CNY/gi;

/**
 * A number cell: `1,234,567.5`, `¥1,200`, `(1,200)` (negative), `-12.5%` (→ −0.125), `3.2万` or `3.2万元`
 * (→ 32000), plain numbers; `unit` scales a bare number (`wan` ×10,000, `percent` ÷100). Undefined when it
 * reads as none.
 * @example parseNumber('83.70%') // 0.837; parseNumber('1.5', 'wan') // 15000
 */
export function parseNumber(value: unknown, unit: Unit = 'yuan'): number | undefined {
  let n: number;
  let scale = unit === 'wan' ? 10_000 : unit === 'percent' ? 0.01 : 1;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    let t = value.trim().replace(/[,，\s]/g, '');
    let negative = false;
    if (/^\(.*\)$/.test(t)) {
      negative = true;
      t = t.slice(1, -1);
    }
    t = t.replace(CURRENCY, '');
    if (t.endsWith('%')) {
      scale = 0.01;
      t = t.slice(0, -1);
    } else if (t.endsWith('万元') || t.endsWith('万')) {
      scale = 10_000;
      t = t.slice(0, t.endsWith('万元') ? -2 : -1);
    } else if (t.endsWith('亿元') || t.endsWith('亿')) {
      scale = 1e8;
      t = t.slice(0, t.endsWith('亿元') ? -2 : -1);
    }
    if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return undefined;
    n = Number(t);
    if (negative) n = -n;
  } else return undefined;
  if (!Number.isFinite(n)) return undefined;
  // Rounded to 1e-9 so that 83.7 × 0.01 reads 0.837, not 0.8370000000000001.
  return Math.round(n * scale * 1e9) / 1e9;
}

/**
 * The entity type a registered name's legal-form suffix implies (公司 → company, 个体/经营部/商行/店 →
 * individual_business, 合作社 → cooperative), or undefined when the name does not say.
 * @example entityTypeOfName('***电器销售有限公司') // 'company'
 */
export function entityTypeOfName(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  const t = name.trim().replace(/[（(][^）)]*[）)]$/, '');
  if (/合作社$/.test(t)) return 'cooperative';
  if (/(公司|企业|厂|集团|事务所)$/.test(t) && !/个体/.test(t)) return 'company';
  if (/(个体工商户|个体户|个体|经营部|商行|商店|店|门市部|工作室|摊)$/.test(t)) return 'individual_business';
  if (/(家庭农场|农户)$/.test(t)) return 'farmer';
  return undefined;
}
