import { z } from 'zod';
import { ksFromCounts } from '../binning/woe.js';
import { RiskError } from '../core/errors.js';
import { designOf } from './inference.js';
import { fitLogistic, type LogisticFit } from './logistic.js';

/** Stepwise direction: `none` keeps every variable the binning selection passed (today's default). */
export const stepwiseDirectionSchema = z.enum(['none', 'forward', 'backward', 'both']);
/** What stepwise minimises or maximises: AIC, BIC (training rows) or KS on the validation rows. */
export const stepwiseCriterionSchema = z.enum(['aic', 'bic', 'ks']);
/** A stepwise direction. */
export type StepwiseDirection = z.infer<typeof stepwiseDirectionSchema>;
/** A stepwise criterion. */
export type StepwiseCriterion = z.infer<typeof stepwiseCriterionSchema>;

/** One step of a stepwise search: which variable went in or out and the criterion before and after. */
export const stepwiseStepSchema = z.strictObject({
  action: z.enum(['add', 'remove']),
  variable: z.string(),
  before: z.number(),
  after: z.number(),
});
/** One logged step. */
export type StepwiseStep = z.infer<typeof stepwiseStepSchema>;

/** A stepwise search's outcome, as stored in the scorecard's state and artifact. */
export const stepwiseResultSchema = z.strictObject({
  direction: z.enum(['forward', 'backward', 'both']),
  criterion: stepwiseCriterionSchema,
  /** The criterion of the starting model (no variable for forward and both, all for backward). */
  start: z.number(),
  steps: z.array(stepwiseStepSchema),
  /** The chosen variables, in candidate order. */
  variables: z.array(z.string()),
  /** Where the criterion was measured: `training` (AIC, BIC) or `validation` (KS). */
  rows: z.enum(['training', 'validation']),
});
/** A stepwise search's outcome. */
export type StepwiseResult = z.infer<typeof stepwiseResultSchema>;

/** The columns stepwise chooses from, with the rows they are fitted (and, for KS, judged) on. */
export interface StepwiseData {
  readonly names: readonly string[];
  readonly columns: readonly Float64Array[];
  readonly y: Float64Array;
  readonly weight?: Float64Array | undefined;
  /** The same columns on held-out rows: needed by the KS criterion. */
  readonly validation?:
    | {
        readonly columns: readonly Float64Array[];
        readonly y: Float64Array;
        readonly weight?: Float64Array | undefined;
      }
    | undefined;
}

/** Settings of the regression each step fits, and the search. */
export interface StepwiseOptions {
  readonly direction: Exclude<StepwiseDirection, 'none'>;
  readonly criterion: StepwiseCriterion;
  readonly l2: number;
  readonly maxIter: number;
  readonly tol: number;
}

/**
 * Weighted KS of scores on labelled rows: rows grouped by equal score (ties never split), then the largest
 * gap between the cumulative shares of events and non-events (`ksFromCounts`).
 */
export function scoreKs(score: Float64Array, y: Float64Array, weight?: Float64Array): number {
  const order = Int32Array.from({ length: score.length }, (_, i) => i).sort(
    (a, b) => (score[a] as number) - (score[b] as number),
  );
  const ne: number[] = [];
  const e: number[] = [];
  let last = Number.NaN;
  for (const i of order) {
    const s = score[i] as number;
    if (s !== last) {
      ne.push(0);
      e.push(0);
      last = s;
    }
    const w = weight === undefined ? 1 : (weight[i] as number);
    const k = ne.length - 1;
    if ((y[i] as number) === 1) e[k] = (e[k] as number) + w;
    else ne[k] = (ne[k] as number) + w;
  }
  return ksFromCounts(ne, e);
}

/**
 * Stepwise selection of a logistic regression's columns (statsmodels/R `step` style; toad's `stepwise`):
 * - forward: from the intercept alone, add the column that improves the criterion most, while one does;
 * - backward: from every column, remove the one whose removal improves it most, while one does;
 * - both: forward, and after each addition remove any column whose removal now improves it.
 * Criteria: AIC = deviance + 2k and BIC = deviance + ln(n)·k on the training rows (k = columns + 1, n the
 * weighted row count; lower is better), or KS of the fitted pd on the validation rows (higher is better).
 * Each fit is the L2 IRLS of `fitLogistic`, warm-started from its parent model. A change must improve the
 * criterion by more than 1e-9, so ties never cycle.
 * @throws E_OPTIONS_INVALID when the KS criterion has no validation rows with both classes
 * @example stepwise({ names, columns, y }, { direction: 'forward', criterion: 'bic', l2: 1, maxIter: 100, tol: 1e-8 })
 */
export function stepwise(data: StepwiseData, options: StepwiseOptions): StepwiseResult {
  const { names, columns, y, weight } = data;
  const n = y.length;
  const val = data.validation;
  if (options.criterion === 'ks') {
    let events = 0;
    for (const v of val?.y ?? []) events += v;
    if (val === undefined || events === 0 || events === val.y.length) {
      throw new RiskError(
        'E_OPTIONS_INVALID',
        'selectBy ks needs validation rows with both classes: set --validation above 0 (or use aic or bic)',
        {
          path: ['selectBy'],
          expected: 'validation rows holding goods and bads',
          received: val?.y.length ?? 0,
        },
      );
    }
  }
  let nEff = 0;
  for (let i = 0; i < n; i++) nEff += weight === undefined ? 1 : (weight[i] as number);
  const cache = new Map<string, { value: number; fit: LogisticFit }>();
  // Lower is better internally; KS is negated.
  const evaluate = (set: readonly number[], parent?: { set: readonly number[]; fit: LogisticFit }) => {
    const sorted = [...set].sort((a, b) => a - b);
    const key = sorted.join(',');
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const start =
      parent === undefined
        ? undefined
        : {
            intercept: parent.fit.intercept,
            coef: sorted.map((j) => {
              const at = parent.set.indexOf(j);
              return at < 0 ? 0 : (parent.fit.coef[at] as number);
            }),
          };
    const fit = fitLogistic(
      designOf(
        sorted.map((j) => columns[j] as Float64Array),
        n,
      ),
      y,
      { l2: options.l2, maxIter: options.maxIter, tol: options.tol, sampleWeight: weight, start },
    );
    let value: number;
    const k = sorted.length + 1;
    if (options.criterion === 'aic') value = fit.deviance + 2 * k;
    else if (options.criterion === 'bic') value = fit.deviance + Math.log(nEff) * k;
    else {
      const v = val as NonNullable<typeof val>;
      const m = v.y.length;
      const score = new Float64Array(m);
      for (let i = 0; i < m; i++) {
        let eta = fit.intercept;
        sorted.forEach((j, c) => {
          eta += (fit.coef[c] as number) * ((v.columns[j] as Float64Array)[i] as number);
        });
        score[i] = eta;
      }
      value = -scoreKs(score, v.y, v.weight);
    }
    const out = { value, fit };
    cache.set(key, out);
    return out;
  };
  const shown = (v: number): number => (options.criterion === 'ks' ? -v : v);
  const all = names.map((_, j) => j);
  let current: number[] = options.direction === 'backward' ? [...all] : [];
  let best = evaluate(current);
  const start = shown(best.value);
  const steps: StepwiseStep[] = [];
  const tryMoves = (action: 'add' | 'remove', exclude?: number): boolean => {
    const moves =
      action === 'add' ? all.filter((j) => !current.includes(j)) : current.filter((j) => j !== exclude);
    let choice: { j: number; set: number[]; r: { value: number; fit: LogisticFit } } | undefined;
    for (const j of moves) {
      const set = action === 'add' ? [...current, j] : current.filter((c) => c !== j);
      const r = evaluate(set, { set: [...current].sort((a, b) => a - b), fit: best.fit });
      if (choice === undefined || r.value < choice.r.value) choice = { j, set, r };
    }
    if (choice === undefined || !(choice.r.value < best.value - 1e-9)) return false;
    steps.push({
      action,
      variable: names[choice.j] as string,
      before: shown(best.value),
      after: shown(choice.r.value),
    });
    current = choice.set;
    best = choice.r;
    return true;
  };
  // Each accepted step strictly lowers the criterion, so the search ends; the cap is a guard only.
  for (let guard = 0; guard < 4 * names.length * names.length + 4; guard++) {
    if (options.direction === 'backward') {
      if (!tryMoves('remove')) break;
      continue;
    }
    if (!tryMoves('add')) break;
    if (options.direction === 'both') {
      const added = all.find((j) => names[j] === steps[steps.length - 1]?.variable);
      while (tryMoves('remove', added)) {}
    }
  }
  return {
    direction: options.direction,
    criterion: options.criterion,
    start,
    steps,
    variables: all.filter((j) => current.includes(j)).map((j) => names[j] as string),
    rows: options.criterion === 'ks' ? 'validation' : 'training',
  };
}

/** A step in words, for train's output and the model card. */
export function stepText(s: StepwiseStep, criterion: StepwiseCriterion): string {
  return `${s.action === 'add' ? 'added' : 'removed'} ${s.variable}: ${criterion.toUpperCase()} ${s.before.toFixed(4)} → ${s.after.toFixed(4)}`;
}
