import type { Rng } from '../../core/rng.js';
import { CREDIT_CODE_CHARSET, makeCreditCode } from '../../ingest/credit-code.js';
import type { Enterprise } from '../../ingest/schemas.js';
import { dayOf, isoDay } from '../calendar.js';
import { entityName } from '../catalog/names.js';
import { roundTo } from '../money.js';
import type { BorrowerProfile } from '../profile.js';

/** Codes issued after the 2015 reform start with MA; older firms kept their organisation code. */
const REFORM_DAY = dayOf('2015-10-01');
const CAPITAL_LADDER = [100_000, 300_000, 500_000, 1_000_000, 2_000_000, 3_000_000, 5_000_000, 10_000_000];

/** Five characters of the code body spell the borrower index in base 31, so codes never collide. */
function indexChars(index: number): string {
  let s = '';
  let v = index;
  for (let k = 0; k < 5; k++) {
    s = CREDIT_CODE_CHARSET[v % 31] + s;
    v = Math.floor(v / 31);
  }
  return s;
}

function randomChars(rng: Rng, n: number, digitsOnly = false): string {
  let s = '';
  for (let k = 0; k < n; k++) s += CREDIT_CODE_CHARSET[rng.int(digitsOnly ? 10 : 31)];
  return s;
}

/** A valid unified social credit code for the borrower (GB 32100; check character computed). */
export function creditCodeFor(rng: Rng, p: BorrowerProfile): string {
  const body =
    p.establishedDay >= REFORM_DAY
      ? `MA${indexChars(p.index)}${randomChars(rng, 2)}`
      : `${randomChars(rng, 2, true)}${indexChars(p.index)}${randomChars(rng, 2, true)}`;
  return makeCreditCode(p.entity.codePrefix, p.region.code, body);
}

/**
 * The registration record (工商登记). Registered capital is subscribed (认缴), so many companies show no paid-in
 * capital; individual businesses and farms register a small amount of funds (资金数额), fully paid.
 */
export function drawEnterprise(rng: Rng, p: BorrowerProfile): Enterprise {
  const type = p.entity.type;
  let registered: number;
  let paidIn: number;
  if (type === 'company') {
    const target = p.annualRevenue * rng.between(0.1, 0.6);
    let k = 0;
    while (k < CAPITAL_LADDER.length - 1 && (CAPITAL_LADDER[k + 1] as number) <= target) k++;
    registered = CAPITAL_LADDER[k] as number;
    paidIn = rng.chance(0.45) ? 0 : roundTo(registered * rng.between(0.2, 1), 10_000);
    paidIn = Math.min(paidIn, registered);
  } else if (type === 'cooperative') {
    registered = roundTo(p.annualRevenue * rng.between(0.2, 0.8), 10_000);
    paidIn = Math.min(registered, roundTo(registered * rng.between(0.3, 1), 10_000));
  } else {
    registered = roundTo(p.annualRevenue * rng.between(0.05, 0.3), 10_000);
    paidIn = registered;
  }
  return {
    name: entityName(rng, type, p.industry, p.region, p.ownerName),
    creditCode: creditCodeFor(rng, p),
    entityType: type,
    industry: p.industry.code,
    region: p.region.code,
    establishedDate: isoDay(p.establishedDay),
    registeredCapital: registered,
    paidInCapital: paidIn,
    employees: p.employees,
    highTech: p.highTech,
    specialised: p.specialised,
    firstLoan: p.firstLoan,
  };
}
