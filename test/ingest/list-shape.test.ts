import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { fastBatchBody } from '../../src/api/schemas.js';
import type { Application } from '../../src/ingest/schemas.js';
import { parseApplication } from '../../src/ingest/validate.js';
import { fullApplication } from '../fixtures/applications.js';

// V8's own view of an array's elements kind: the feature engine's optimised scanners are compiled for
// lists of objects, and a list of another kind (a map of its own) deoptimises them (docs/features-speed.md).
setFlagsFromString('--allow-natives-syntax');
const holdsObjects = new Function('list', 'return %HasObjectElements(list)') as (list: unknown) => boolean;

/** Every record list of a parsed application, by path. */
function lists(app: Application): [string, unknown[]][] {
  const out: [string, unknown[]][] = [];
  const add = (path: string, list: unknown[] | undefined): void => {
    if (list !== undefined) out.push([path, list]);
  };
  add('invoices', app.invoices);
  add('bankFlows', app.bankFlows);
  add('judicial', app.judicial);
  add('utilities', app.utilities);
  add('socialInsurance', app.socialInsurance);
  add('tax.filings', app.tax?.filings);
  for (const subject of ['enterprise', 'owner'] as const) {
    const r = app.bureau?.[subject];
    add(`bureau.${subject}.facilities`, r?.facilities);
    add(`bureau.${subject}.guaranteesGiven`, r?.guaranteesGiven);
    add(`bureau.${subject}.inquiries`, r?.inquiries);
  }
  return out;
}

const emptyReport = { facilities: [], guaranteesGiven: [], inquiries: [] };

describe('parsed record lists', () => {
  // First in its file: the parser's allocation sites are fresh, as in a process that has parsed nothing yet.
  it('have one elements kind, empty or not, from the very first application parsed', () => {
    const empty = parseApplication({
      ...fullApplication(),
      invoices: [],
      bankFlows: [],
      judicial: [],
      utilities: [],
      socialInsurance: [],
      tax: { creditGrade: 'B', filings: [] },
      bureau: { enterprise: emptyReport, owner: emptyReport },
    });
    const found = lists(empty);
    expect(found).toHaveLength(12);
    for (const [path, list] of found) {
      expect(list, path).toEqual([]);
      expect(holdsObjects(list), path).toBe(true);
    }
    for (const [path, list] of lists(parseApplication(fullApplication())))
      expect(holdsObjects(list), path).toBe(true);
  });

  it('have one elements kind in a batch the API validates too', () => {
    const body = fastBatchBody.parse({
      applications: [{ ...fullApplication(), invoices: [], judicial: [] }, fullApplication()],
    });
    for (const app of body.applications as Application[])
      for (const [path, list] of lists(app)) expect(holdsObjects(list), path).toBe(true);
    expect(body.applications[0]?.invoices).toEqual([]);
  });

  it('are independent: an empty list is not shared between applications or sources', () => {
    const a = parseApplication({ ...fullApplication(), invoices: [], judicial: [] });
    const b = parseApplication({ ...fullApplication(), invoices: [] });
    expect(a.invoices).not.toBe(b.invoices);
    expect(a.invoices).not.toBe(a.judicial);
    (a.invoices as unknown[]).push({});
    expect(b.invoices).toEqual([]);
  });

  it('keep their records as given', () => {
    const input = fullApplication();
    const app = parseApplication(input);
    expect(app.invoices).toEqual(input.invoices);
    expect(app.bureau).toEqual(input.bureau);
  });
});
