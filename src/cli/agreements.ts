import { readFileSync } from 'node:fs';
import { describeValue, RiskError } from '../core/errors.js';
import { type Agreement, parseAgreement } from '../ingest/partners.js';
import { type LossFlow, runLoss } from '../matching/loss.js';
import { DEFAULT_AGREEMENTS } from './options.js';

/**
 * Reads and validates an agreements JSON file (an array).
 * @throws E_IO for an unreadable file, E_JSON_PARSE for bad JSON, E_AGREEMENT_INVALID for a bad agreement
 */
export function readAgreements(path: string): Agreement[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new RiskError('E_IO', `--agreements: cannot read ${path}`, { file: path }, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new RiskError('E_JSON_PARSE', `${path}: not valid JSON`, { file: path }, { cause });
  }
  if (!Array.isArray(json))
    throw new RiskError(
      'E_AGREEMENT_INVALID',
      `${path}: expected an array of agreements, received ${describeValue(json)}`,
    );
  return json.map(parseAgreement);
}

function find(list: readonly Agreement[], id: string): Agreement {
  const a = list.find((x) => x.id === id);
  if (a === undefined)
    throw new RiskError(
      'E_AGREEMENT_UNKNOWN',
      `--agreement: no agreement has id ${JSON.stringify(id)}; known: ${list.map((x) => x.id).join(', ')}`,
    );
  return a;
}

function num(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x) || x < 0)
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `${flag} must be an amount in yuan ≥ 0, received ${describeValue(v)}`,
    );
  return x;
}

/** Renders a loss flow as the lines a person checks by hand. */
export function lossTable(f: LossFlow): string[] {
  const y = (v: number) => v.toFixed(2).padStart(16);
  const lines = [
    `agreement ${f.agreementId}  cover ${f.coverageBase}`,
    `total loss ${y(f.totalLoss)}  covered base ${y(f.coveredBase)}  uncovered interest ${y(f.uncoveredInterest)}`,
    `compensation due ${y(f.compensationDue)}  paid ${y(f.compensationPaid)}  capped (bank carries) ${y(f.cappedByBreach)}`,
    `${'party'.padEnd(28)}${'role'.padEnd(20)}${'share'.padStart(7)}${'bore'.padStart(16)}${'recovered'.padStart(16)}${'net loss'.padStart(16)}`,
  ];
  for (const p of f.parties)
    lines.push(
      `${p.name.padEnd(28)}${p.role.padEnd(20)}${(p.share * 100).toFixed(1).padStart(6)}%${y(p.bore)}${y(p.recovered)}${y(p.netLoss)}`,
    );
  lines.push(
    `net recovery ${y(f.netRecovery)}  receivable offset ${y(f.receivableOffset)}  追偿收入 ${y(f.recoveryIncome)}`,
  );
  const g = f.programme;
  if (g === null) {
    lines.push(
      'programme: no programme totals given (--guaranteed-to-date, --compensated-to-date): the compensation cap is not applied and no running rate is shown',
    );
    return lines;
  }
  lines.push(
    `programme: compensated ${g.compensatedToDate.toFixed(2)} / guaranteed ${g.guaranteedToDate.toFixed(2)} = ${(g.rate * 100).toFixed(3)}% (warning ${(g.warningLine * 100).toFixed(2)}%, cap ${(g.cap * 100).toFixed(2)}%) → ${g.status}${g.actions.length ? ` [${g.actions.join(', ')}]` : ''}`,
  );
  return lines;
}

const out = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

/** `rongdan agreements list`: one line per agreement, or JSON. */
export function agreementsListCommand(o: { agreements: string; json?: boolean }): void {
  const list = readAgreements(o.agreements);
  if (o.json) {
    out(JSON.stringify(list, null, 2));
    return;
  }
  out(`${'id'.padEnd(17)}${'mode'.padEnd(14)}${'cover'.padEnd(24)}${'cap'.padStart(6)}  parties`);
  for (const a of list)
    out(
      `${a.id.padEnd(17)}${a.businessMode.padEnd(14)}${`${a.coverage.base} ${a.coverage.ratio}`.padEnd(24)}${(a.compensation.cap * 100).toFixed(1).padStart(5)}%  ${a.parties.map((p) => `${p.role} ${Math.round(p.share * 100)}`).join(' / ')}`,
    );
}

/** `rongdan agreements show <id>`: the agreement as JSON. */
export function agreementsShowCommand(id: string, o: { agreements: string }): void {
  out(JSON.stringify(find(readAgreements(o.agreements), id), null, 2));
}

/** `rongdan agreements loss`: how one default's loss flows between the parties. */
export function agreementsLossCommand(o: Record<string, string | boolean | undefined>): void {
  const s = (k: string) => o[k] as string | undefined;
  const a = find(readAgreements(s('agreements') ?? DEFAULT_AGREEMENTS), s('agreement') ?? '');
  const opt = (flag: string, key: string) => num(flag, s(key));
  const c = {
    principal: opt('--principal', 'principal') ?? 0,
    unpaidPrincipal: opt('--unpaid-principal', 'unpaidPrincipal') ?? 0,
    ...(s('interest') !== undefined && { interest: opt('--interest', 'interest') }),
    ...(s('recovery') !== undefined && { recovery: opt('--recovery', 'recovery') }),
    ...(s('recoveryCosts') !== undefined && { recoveryCosts: opt('--recovery-costs', 'recoveryCosts') }),
    ...(s('guaranteedToDate') !== undefined && {
      guaranteedToDate: opt('--guaranteed-to-date', 'guaranteedToDate'),
    }),
    ...(s('compensatedToDate') !== undefined && {
      compensatedToDate: opt('--compensated-to-date', 'compensatedToDate'),
    }),
  } as Parameters<typeof runLoss>[1];
  const f = runLoss(a, c);
  if (o.json) {
    out(JSON.stringify(f, null, 2));
    return;
  }
  for (const l of lossTable(f)) out(l);
}
