import type { Rng } from '../../core/rng.js';
import { CREDIT_CODE_CHARSET } from '../../ingest/credit-code.js';
import type { Invoice } from '../../ingest/schemas.js';
import { daysInMonth, firstDayOfMonth, isoDay } from '../calendar.js';
import { fen } from '../money.js';
import type { BorrowerProfile } from '../profile.js';
import { clamp, sigmoid } from '../risk.js';

/** At most this many sales invoices a month: bigger firms issue bigger invoices, not ever more of them. */
const MAX_SALES_PER_MONTH = 6;
const MAX_PURCHASES_PER_MONTH = 4;
/**
 * Invoice size against the sector's typical ticket: micro firms invoice only their larger (business) sales,
 * so a shop issues a few invoices a month, not one per customer.
 */
const TICKET_SCALE = { company: 24, cooperative: 14, individual_business: 12, farmer: 6 } as const;

/** The share of revenue a borrower invoices: most of a company's, little of a shop's or a farm's. */
function invoicedShare(rng: Rng, p: BorrowerProfile): number {
  const consumerFacing = ['retail', 'catering', 'residentServices', 'accommodation'].includes(
    p.industry.sector.key,
  );
  switch (p.entity.type) {
    case 'company':
      return consumerFacing ? rng.between(0.3, 0.7) : rng.between(0.7, 1);
    case 'cooperative':
      return rng.between(0.4, 0.8);
    // Many individual businesses and farmers issue no invoices at all (a checked source with no rows).
    case 'individual_business':
      if (rng.chance(0.3)) return 0;
      return consumerFacing ? rng.between(0.05, 0.2) : rng.between(0.3, 0.6);
    case 'farmer':
      if (rng.chance(0.4)) return 0;
      return rng.between(0.05, 0.25);
  }
}

function counterpartyIds(rng: Rng, n: number, prefix: string): string[] {
  const ids: string[] = [];
  for (let k = 0; k < n; k++) {
    let s = prefix;
    for (let c = 0; c < 6; c++) s += CREDIT_CODE_CHARSET[rng.int(31)];
    ids.push(s);
  }
  return ids;
}

/** Cumulative Zipf weights 1/(k+1)^s: a larger s concentrates sales on the first customers. */
function cumulativeZipf(n: number, s: number): Float64Array {
  const out = new Float64Array(n);
  let acc = 0;
  for (let k = 0; k < n; k++) {
    acc += 1 / (k + 1) ** s;
    out[k] = acc;
  }
  return out;
}

function pickCumulative(rng: Rng, cum: Float64Array): number {
  const r = rng.uniform() * (cum[cum.length - 1] as number);
  let k = 0;
  while (k < cum.length - 1 && (cum[k] as number) <= r) k++;
  return k;
}

/**
 * Individual VAT invoices over the window (sales and purchases) with counterparties and statuses. Signals: risky
 * borrowers sell to fewer customers with more concentration, and void (作废) and red-letter (红字) more of their
 * invoices; volumes follow the revenue path, so a drop before the as-of date shows here too.
 */
export function drawInvoices(rng: Rng, p: BorrowerProfile, general: boolean): Invoice[] {
  const share = invoicedShare(rng, p);
  const median = p.entity.medianRevenue * Math.exp(p.industry.sector.sizeShift);
  const sizeFactor = (p.annualRevenue / median) ** 0.6;
  const ticket =
    p.industry.sector.ticket * sizeFactor * TICKET_SCALE[p.entity.type] * Math.exp(rng.normal(0, 0.3));
  const salesRate = general ? p.industry.sector.vatRate : 0.01;

  const nCustomers = Math.max(
    1,
    Math.round((2 + 3 * Math.sqrt(sizeFactor)) * Math.exp(rng.normal(-0.25 * p.z, 0.5))),
  );
  const concentration = clamp(1 + 0.35 * p.z + rng.normal(0, 0.4), 0.2, 3);
  const customers = counterpartyIds(rng, nCustomers, 'C');
  const customerCum = cumulativeZipf(nCustomers, concentration);
  const nSuppliers = Math.max(1, Math.round(2 + 3 * Math.exp(rng.normal(0, 0.5))));
  const suppliers = counterpartyIds(rng, nSuppliers, 'S');
  const supplierCum = cumulativeZipf(nSuppliers, 1);

  const statusNoise = Math.exp(rng.normal(0, 0.4));
  const trouble = sigmoid(1.4 * p.z - 2);
  const voidRate = (0.012 + 0.05 * trouble) * statusNoise;
  const redRate = (0.006 + 0.035 * trouble) * Math.exp(rng.normal(0, 0.4));
  const purchaseShare = (1 - p.industry.sector.margin) * rng.between(0.4, 0.9);

  const out: Invoice[] = [];
  const month: { day: number; inv: Invoice }[] = [];
  for (let t = 0; t < p.months; t++) {
    const m = p.windowStart + t;
    if (m < p.activeFrom) continue;
    const revenue = p.revenue[t] as number;
    const distress = p.distressFrom >= 0 && t >= p.distressFrom ? 1.5 : 1;
    const nSales = Math.min(MAX_SALES_PER_MONTH, rng.poisson((revenue * share) / ticket));
    const nBuys = Math.min(
      MAX_PURCHASES_PER_MONTH,
      rng.poisson(((revenue * share) / ticket) * p.industry.sector.purchaseRatio),
    );
    const day0 = firstDayOfMonth(m);
    const days = daysInMonth(m);
    month.length = 0;
    for (let k = 0; k < nSales + nBuys; k++) {
      const sale = k < nSales;
      const amount = sale
        ? ((revenue * share) / nSales) * Math.exp(rng.normal(0, 0.5))
        : ((revenue * share * purchaseShare) / Math.max(1, nBuys)) * Math.exp(rng.normal(0, 0.5));
      const rate = sale ? salesRate : 0.13;
      const u = rng.uniform();
      const status = u < voidRate * distress ? 'void' : u < (voidRate + redRate) * distress ? 'red' : 'valid';
      const counterparty = sale
        ? (customers[pickCumulative(rng, customerCum)] as string)
        : (suppliers[pickCumulative(rng, supplierCum)] as string);
      const amt = Math.max(1, fen(amount));
      month.push({
        day: day0 + rng.int(days),
        inv: {
          date: '',
          direction: sale ? 'sales' : 'purchase',
          amount: amt,
          tax: fen(amt * rate),
          counterpartyId: counterparty,
          status,
        },
      });
    }
    month.sort((a, b) => a.day - b.day);
    for (const { day, inv } of month) {
      inv.date = isoDay(day);
      out.push(inv);
    }
  }
  return out;
}
