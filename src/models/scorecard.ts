import { z } from 'zod';
import { catalogHints } from '../binning/catalog-hints.js';
import { parseArtifactPart, parseOptions } from '../binning/options.js';
import { binningProcessOptionsSchema, fitBinningProcess, woeColumn, woeTable } from '../binning/process.js';
import { type SelectionRow, selectionText } from '../binning/selection.js';
import type { BinningTable } from '../binning/table.js';
import { checkTarget, checkWeights } from '../binning/target.js';
import { trendBreaks, trendBreakText } from '../binning/user-bins.js';
import { assignBins, type VariableBinning } from '../binning/variable.js';
import {
  type Artifact,
  createArtifact,
  type DataFingerprint,
  fingerprintFrame,
  verifyArtifact,
} from '../core/artifact.js';
import { RiskError } from '../core/errors.js';
import { Frame } from '../core/frame.js';
import { type Logger, silentLogger } from '../core/logger.js';
import type { Estimator, Explainer, FitOptions, Reason } from './estimator.js';
import { type CoefficientTest, designOf, logisticTests, varianceInflation } from './inference.js';
import { fitLogistic, type LogisticFit, type LogisticFitOptions } from './logistic.js';
import type { TrainedModel } from './model.js';
import { pdFromScore, scaling } from './points.js';
import { reasonTexts } from './reason-text.js';
import {
  type StepwiseResult,
  stepText,
  stepwise,
  stepwiseCriterionSchema,
  stepwiseDirectionSchema,
  stepwiseResultSchema,
} from './stepwise.js';

/** Options of the scorecard: binning and selection, the regression, and the points scaling. */
export const scorecardOptionsSchema = z.strictObject({
  ...binningProcessOptionsSchema.shape,
  /** L2 penalty of the logistic regression on WoE (scikit-learn's 1/C). */
  l2: z
    .number()
    .min(0)
    .default(1)
    .describe("L2 penalty of the logistic regression on WoE (scikit-learn's 1/C)"),
  maxIter: z.int().min(1).max(1000).default(100).describe('most Newton (IRLS) iterations of the regression'),
  tol: z
    .number()
    .gt(0)
    .max(1)
    .default(1e-8)
    .describe('the regression stops when no coefficient moves more than this (relative)'),
  /** The score at `baseOdds`. */
  baseScore: z.number().default(600).describe('the score at baseOdds'),
  /** Good:bad odds at `baseScore` (50 = 50:1). */
  baseOdds: z.number().gt(0).default(50).describe('good:bad odds at baseScore (50 = 50:1)'),
  /** Points to double the odds. */
  pdo: z.number().gt(0).default(20).describe('points to double the odds'),
  /**
   * Drop, one at a time, a variable whose coefficient has the wrong sign (riskier WoE scoring better, from
   * collinearity), and refit: a scorecard's points must follow its WoE.
   */
  dropWrongSign: z
    .boolean()
    .default(true)
    .describe('drop, one at a time, a variable whose coefficient has the wrong sign, and refit'),
  /** Take each variable's trend and special values from the feature catalog where it describes it. */
  useCatalog: z
    .boolean()
    .default(true)
    .describe("take each variable's trend and special values from the feature catalog"),
  /**
   * Stepwise selection among the variables the binning selection kept (`none`: keep them all, today's
   * default): forward, backward or both, by `selectBy`.
   */
  select: stepwiseDirectionSchema
    .default('none')
    .describe('stepwise selection among the variables the binning selection kept (train --select)'),
  /** The stepwise criterion: aic or bic on the training rows, or ks on the validation rows. */
  selectBy: stepwiseCriterionSchema
    .default('aic')
    .describe('stepwise criterion: aic or bic on the training rows, ks on the validation rows (--select-by)'),
  /**
   * A stepwise result to reuse instead of searching: `train` refits on every in-time row with the
   * variables chosen (and validated) on the training rows, since no held-out rows remain for the search.
   */
  stepwiseResult: stepwiseResultSchema
    .optional()
    .describe("a stepwise choice to reuse instead of searching (set by train's refit)"),
});
/** Validated scorecard options. */
export type ScorecardOptions = z.infer<typeof scorecardOptionsSchema>;
/** Scorecard options as a caller may give them (every field optional). */
export type ScorecardOptionsInput = z.input<typeof scorecardOptionsSchema>;

// The scale lives in points.ts, shared with every family; re-exported for the scorecard's callers.
export { pdFromScore, type Scaling, scaling } from './points.js';

const binningSchema = z.strictObject({
  variable: z.string(),
  kind: z.enum(['numeric', 'categorical']),
  trend: z.enum(['ascending', 'descending', 'peak', 'valley']).nullable(),
  cuts: z.array(z.number()),
  groups: z.array(z.array(z.string())),
  special: z.array(z.array(z.union([z.number(), z.string()]))),
  unseenBin: z.int().min(0),
  table: z.strictObject({
    variable: z.string(),
    kind: z.enum(['numeric', 'categorical']),
    rows: z.array(
      z.strictObject({
        label: z.string(),
        count: z.number(),
        countShare: z.number(),
        nonEvents: z.number(),
        events: z.number(),
        eventRate: z.number(),
        woe: z.number(),
        iv: z.number(),
      }),
    ),
    iv: z.number(),
    gini: z.number(),
    ks: z.number(),
    userSet: z.boolean().optional(),
  }),
});

const testSchema = z.strictObject({
  estimate: z.number(),
  se: z.number().nullable(),
  z: z.number().nullable(),
  pValue: z.number().nullable(),
});

const scorecardStateSchema = z.strictObject({
  /** Every candidate's binning, in input order (the model uses those named in `variables`). */
  binnings: z.array(binningSchema),
  selection: z.array(
    z.strictObject({
      variable: z.string(),
      iv: z.number(),
      selected: z.boolean(),
      reason: z.enum(['selected', 'low-iv', 'not-significant', 'correlated', 'max-variables']),
      with: z.string().optional(),
      correlation: z.number().optional(),
    }),
  ),
  /** Variables dropped after selection because their coefficient had the wrong sign. */
  wrongSign: z.array(z.strictObject({ variable: z.string(), coef: z.number() })),
  variables: z.array(z.string()),
  intercept: z.number(),
  coef: z.array(z.number()),
  scaling: z.strictObject({ factor: z.number(), offset: z.number() }),
  /** Integer points of each bin (table order) of each model variable. */
  points: z.array(z.array(z.int())),
  converged: z.boolean(),
  dataFingerprint: z.unknown(),
  /** The stepwise search, when `select` was not `none`. */
  stepwise: stepwiseResultSchema.optional(),
  /** Wald tests of the intercept and of each model variable's coefficient, and each variable's VIF. */
  tests: z
    .strictObject({
      intercept: testSchema,
      coef: z.array(testSchema.extend({ vif: z.number().nullable() })),
    })
    .optional(),
  /** What fitting found that a developer should read (user bins, signs, convergence), one sentence each. */
  warnings: z.array(z.string()).optional(),
});
type ScorecardState = z.infer<typeof scorecardStateSchema> & { dataFingerprint: DataFingerprint };

/** Where each model variable's points come from, for scoring. */
interface Lookup {
  readonly binning: VariableBinning;
  readonly points: Int32Array;
}

/**
 * A credit scorecard (optbinning's `Scorecard`): monotone optimal binning, IV, significance and correlation
 * selection, L2 logistic regression by IRLS on WoE, and integer points per bin scaled by base score, base
 * odds and PDO. The score is the sum of the points of a row's bins, and the pd is read from that integer score, so
 * the points table, the score and the pd always agree.
 * @example const card = new Scorecard({ pdo: 20 }).fit(x, y); card.score(x); card.reasons(x, 3);
 */
export class Scorecard implements Estimator, Explainer, TrainedModel {
  readonly kind = 'scorecard';
  private state: ScorecardState | undefined;
  private params: ScorecardOptions | undefined;
  private lookups: Lookup[] | undefined;

  constructor(readonly options: ScorecardOptionsInput = {}) {}

  get isFitted(): boolean {
    return this.state !== undefined;
  }

  /** The model's variables, in card order. */
  get featureNames(): readonly string[] {
    return this.fitted().variables;
  }

  /**
   * Bins and selects the variables, fits the regression on their WoE and scales the points.
   * @throws E_OPTIONS_INVALID on bad options; E_DATA_INVALID on a bad target or weights, or when no
   *   variable passes the selection
   */
  fit(x: Frame, y: ArrayLike<number>, options: FitOptions = {}): this {
    const params = parseOptions(scorecardOptionsSchema, this.options, 'scorecard');
    const logger = options.logger ?? silentLogger;
    const target = checkTarget(y, x.nRows);
    const weight = checkWeights(options.sampleWeight, x.nRows);
    const trends = { ...params.trends };
    const special = { ...params.special };
    if (params.useCatalog) {
      for (const [name, hint] of catalogHints(params.variables ?? x.names, logger)) {
        if (hint.trend !== undefined && trends[name] === undefined) trends[name] = hint.trend;
        if (hint.special.length > 0 && special[name] === undefined) special[name] = hint.special;
      }
    }
    const bp = fitBinningProcess(
      x,
      target,
      { ...params, trends, special },
      weight === undefined ? pick(options) : { ...pick(options), sampleWeight: weight },
    );
    const byName = new Map(bp.binnings.map((b) => [b.variable, b]));
    const variables = bp.selection.filter((s) => s.selected).map((s) => s.variable);
    if (variables.length === 0) {
      const best = Math.max(0, ...bp.selection.map((s) => s.iv));
      throw new RiskError(
        'E_DATA_INVALID',
        `no variable passed the selection: minIv is ${params.minIv} and maxPValue ${params.maxPValue}, the best IV was ${best.toFixed(4)}`,
        {
          path: ['minIv'],
          expected: `IV ≥ ${params.minIv} and a binning significant at ${params.maxPValue}`,
          received: best,
        },
      );
    }
    const woe = variables.map((v) => woeColumn(byName.get(v) as VariableBinning, x.column(v)));
    const warnings = [...bp.warnings];
    for (const b of bp.binnings)
      if (b.table.userSet === true) warnings.push(...trendBreaks(b).map(trendBreakText));
    const chosen = chooseVariables(variables, woe, target, weight, params, options, byName, warnings);
    const reg = fitSignedRegression(
      chosen.variables,
      chosen.variables.map((v) => woe[variables.indexOf(v)] as Float64Array),
      target,
      weight,
      params,
      logger,
    );
    const regWoe = reg.variables.map((v) => woe[variables.indexOf(v)] as Float64Array);
    const [interceptTest, ...coefTests] = logisticTests(designOf(regWoe, x.nRows), reg.fit, {
      l2: params.l2,
      sampleWeight: weight,
    });
    const vif = varianceInflation(regWoe);
    reg.fit.coef.forEach((c, j) => {
      // WoE = ln(good share / bad share): more WoE must mean fewer defaults, so a coefficient above 0 is backwards.
      if (c > 0)
        warnings.push(
          `coefficient of ${reg.variables[j]} is ${c.toFixed(4)}: its sign is opposite to the WoE direction (a safer bin scores worse)`,
        );
    });
    if (!reg.fit.converged)
      warnings.push(`the regression did not converge in ${reg.fit.iterations} iterations`);
    const sc = scaling(params.baseScore, params.baseOdds, params.pdo);
    const k = reg.variables.length;
    const points = reg.variables.map((v, j) =>
      Array.from(woeTable(byName.get(v) as VariableBinning), (w) =>
        // Each variable carries 1/k of the intercept and of the offset, so that its points stand alone.
        Math.round(sc.offset / k - sc.factor * ((reg.fit.coef[j] as number) * w + reg.fit.intercept / k)),
      ),
    );
    this.params = { ...params, trends, special };
    this.state = {
      binnings: bp.binnings as VariableBinning[] as ScorecardState['binnings'],
      selection: bp.selection as SelectionRow[] as ScorecardState['selection'],
      wrongSign: reg.wrongSign,
      variables: reg.variables,
      intercept: reg.fit.intercept,
      coef: Array.from(reg.fit.coef),
      scaling: sc,
      points,
      converged: reg.fit.converged,
      dataFingerprint: fingerprintFrame(x, target),
      ...(chosen.stepwise === undefined ? {} : { stepwise: chosen.stepwise }),
      tests: {
        intercept: interceptTest as CoefficientTest,
        coef: coefTests.map((t, j) => ({ ...t, vif: vif[j] ?? null })),
      },
      warnings,
    };
    this.lookups = undefined;
    return this;
  }

  /** The learned state. @throws E_NOT_FITTED before fit */
  fitted(): ScorecardState {
    if (this.state === undefined) {
      throw new RiskError('E_NOT_FITTED', 'this Scorecard is not fitted yet: call fit(x, y) first');
    }
    return this.state;
  }

  /** The validated options the card was fitted with (catalog hints merged in). */
  fittedParams(): ScorecardOptions {
    this.fitted();
    return this.params as ScorecardOptions;
  }

  private lookup(): Lookup[] {
    if (this.lookups === undefined) {
      const s = this.fitted();
      const byName = new Map(s.binnings.map((b) => [b.variable, b as VariableBinning]));
      this.lookups = s.variables.map((v, j) => ({
        binning: byName.get(v) as VariableBinning,
        points: Int32Array.from(s.points[j] as number[]),
      }));
    }
    return this.lookups;
  }

  /** The bin of every row for each model variable (table order). */
  bins(x: Frame): Int32Array[] {
    return this.lookup().map((l) => assignBins(l.binning, x.column(l.binning.variable)));
  }

  /**
   * The points of every row for each model variable, as a frame (one numeric column per variable);
   * each row sums exactly to `score`.
   */
  points(x: Frame): Frame {
    const bins = this.bins(x);
    return new Frame(
      this.lookup().map((l, j) => {
        const b = bins[j] as Int32Array;
        const v = new Float64Array(b.length);
        for (let i = 0; i < b.length; i++) v[i] = l.points[b[i] as number] as number;
        return { kind: 'numeric' as const, name: l.binning.variable, values: v };
      }),
    );
  }

  /** The integer score of every row: the sum of its points (higher = safer). */
  score(x: Frame): Float64Array {
    const out = new Float64Array(x.nRows);
    for (const l of this.lookup()) {
      const b = assignBins(l.binning, x.column(l.binning.variable));
      const pts = l.points;
      for (let i = 0; i < b.length; i++) out[i] = (out[i] as number) + (pts[b[i] as number] as number);
    }
    return out;
  }

  /** The pd of every row, read from its integer score through the scaling. */
  predictProba(x: Frame): Float64Array {
    const s = this.fitted().scaling;
    const score = this.score(x);
    for (let i = 0; i < score.length; i++) score[i] = pdFromScore(score[i] as number, s);
    return score;
  }

  /**
   * The top-k reasons per row: the variables whose bin cost the most points against that variable's best
   * bin (among bins seen in training), with the catalog's zh/en text where it describes the variable.
   */
  reasons(x: Frame, k: number): Reason[][] {
    const lookups = this.lookup();
    const bins = this.bins(x);
    const best = lookups.map((l) => {
      let m = Number.NEGATIVE_INFINITY;
      l.binning.table.rows.forEach((r, b) => {
        if (r.count > 0 && (l.points[b] as number) > m) m = l.points[b] as number;
      });
      return m;
    });
    const out: Reason[][] = [];
    const lost = new Float64Array(lookups.length);
    for (let i = 0; i < x.nRows; i++) {
      for (let j = 0; j < lookups.length; j++) {
        const l = lookups[j] as Lookup;
        lost[j] = (best[j] as number) - (l.points[(bins[j] as Int32Array)[i] as number] as number);
      }
      const row: Reason[] = [];
      for (let t = 0; t < k; t++) {
        let top = -1;
        for (let j = 0; j < lost.length; j++)
          if ((lost[j] as number) > 0 && (top < 0 || (lost[j] as number) > (lost[top] as number))) top = j;
        if (top < 0) break;
        const l = lookups[top] as Lookup;
        const bin = (bins[top] as Int32Array)[i] as number;
        const value = l.binning.table.rows[bin]?.label ?? String(bin);
        row.push({
          feature: l.binning.variable,
          impact: lost[top] as number,
          value,
          ...reasonTexts(l.binning.variable, value),
        });
        lost[top] = 0;
      }
      out.push(row);
    }
    return out;
  }

  /** The binning tables of the model's variables. */
  binningTables(): readonly BinningTable[] {
    return this.lookup().map((l) => l.binning.table);
  }

  /** Integer points of each bin (table order) per model variable, for the report's points column. */
  binPoints(): ReadonlyMap<string, readonly number[]> {
    return new Map(this.lookup().map((l) => [l.binning.variable, Array.from(l.points)]));
  }

  /** The selection of every candidate variable: IV, kept or why dropped. */
  selection(): readonly SelectionRow[] {
    return this.fitted().selection as readonly SelectionRow[];
  }

  /** Every candidate, kept or dropped, with the reason in words (selection, then wrong-sign coefficients). */
  variableSelection(): { variable: string; selected: boolean; reason: string }[] {
    const s = this.fitted();
    const minIv = parseOptions(scorecardOptionsSchema, this.options, 'scorecard').minIv;
    const wrong = new Map(s.wrongSign.map((w) => [w.variable, w.coef]));
    const step = s.stepwise;
    return s.selection.map((row) => {
      const coef = wrong.get(row.variable);
      if (step !== undefined && row.selected && !step.variables.includes(row.variable))
        return {
          variable: row.variable,
          selected: false,
          reason: `dropped by stepwise selection (${step.direction}, ${step.criterion.toUpperCase()} on the ${step.rows} rows; IV ${row.iv.toFixed(4)})`,
        };
      if (coef !== undefined)
        return {
          variable: row.variable,
          selected: false,
          reason: `dropped: coefficient of the wrong sign (${coef.toFixed(4)}; IV ${row.iv.toFixed(4)})`,
        };
      return {
        variable: row.variable,
        selected: row.selected,
        reason: selectionText(row as SelectionRow, minIv),
      };
    });
  }

  /** What fitting found that a developer should read: user-bin trend breaks, wrong signs, convergence. */
  warnings(): readonly string[] {
    return this.fitted().warnings ?? [];
  }

  /** The stepwise steps in words (empty without stepwise). */
  stepwiseLog(): string[] {
    const st = this.fitted().stepwise;
    if (st === undefined) return [];
    return [
      `stepwise ${st.direction} by ${st.criterion.toUpperCase()} on the ${st.rows} rows: start ${st.start.toFixed(4)}`,
      ...st.steps.map((step) => stepText(step, st.criterion)),
      `stepwise chose ${st.variables.length}: ${st.variables.join(', ')}`,
    ];
  }

  /**
   * The card's scorecard sections (Markdown lines): user-set variables, stepwise steps, the coefficients
   * with standard errors, Wald z, p-values and VIF, and the warnings.
   */
  cardSections(): string[] {
    const s = this.fitted();
    const out: string[] = [];
    const user = s.binnings.filter((b) => b.table.userSet === true).map((b) => b.variable);
    if (user.length > 0)
      out.push(
        '## User-set bins',
        '',
        `Binned by the user's bins file (\`train --bins\`): ${user.join(', ')}.`,
        '',
      );
    const st = s.stepwise;
    if (st !== undefined) {
      out.push(
        '## Stepwise selection',
        '',
        `${st.direction}, by ${st.criterion.toUpperCase()} on the ${st.rows} rows; start ${fmt4(st.start)}.`,
        '',
        '| step | action | variable | before | after |',
        '| --- | --- | --- | --- | --- |',
        ...st.steps.map(
          (x, i) => `| ${i + 1} | ${x.action} | ${x.variable} | ${fmt4(x.before)} | ${fmt4(x.after)} |`,
        ),
        '',
      );
    }
    const t = s.tests;
    if (t !== undefined) {
      const cell = (v: number | null): string => (v === null ? 'n/a' : fmt4(v));
      const p = (v: number | null): string =>
        v === null ? 'n/a' : v < 1e-4 ? v.toExponential(2) : v.toFixed(4);
      out.push(
        '## Coefficients',
        '',
        'Wald tests on the WoE regression (covariance: inverse of the penalised information at the fit).',
        '',
        '| term | coefficient | std. error | z | p-value | VIF |',
        '| --- | --- | --- | --- | --- | --- |',
        `| (intercept) | ${fmt4(t.intercept.estimate)} | ${cell(t.intercept.se)} | ${cell(t.intercept.z)} | ${p(t.intercept.pValue)} | |`,
        ...t.coef.map(
          (c, j) =>
            `| ${s.variables[j]}${user.includes(s.variables[j] as string) ? ' (user bins)' : ''} | ${fmt4(c.estimate)} | ${cell(c.se)} | ${cell(c.z)} | ${p(c.pValue)} | ${cell(c.vif)} |`,
        ),
        '',
      );
    }
    const w = this.warnings();
    if (w.length > 0) out.push('## Warnings', '', ...w.map((x) => `- ${x}`), '');
    return out;
  }

  /** |coefficient| × standard deviation of the variable's WoE (its spread of log-odds), largest first. */
  importance(): { feature: string; value: number }[] {
    const s = this.fitted();
    return this.lookup()
      .map((l, j) => {
        let m = 0;
        let mm = 0;
        for (const r of l.binning.table.rows) {
          m += r.countShare * r.woe;
          mm += r.countShare * r.woe * r.woe;
        }
        return {
          feature: l.binning.variable,
          value: Math.abs(s.coef[j] as number) * Math.sqrt(Math.max(mm - m * m, 0)),
        };
      })
      .sort((a, b) => b.value - a.value);
  }

  toArtifact(): Artifact<ScorecardOptions, ScorecardState> {
    const s = this.fitted();
    const categories: Record<string, readonly string[]> = {};
    for (const l of this.lookup()) {
      if (l.binning.kind === 'categorical') categories[l.binning.variable] = l.binning.groups.flat();
    }
    return createArtifact({
      kind: this.kind,
      params: this.params as ScorecardOptions,
      featureNames: s.variables,
      categories,
      dataFingerprint: s.dataFingerprint,
      metrics: {},
      state: s,
    });
  }

  /**
   * Rebuilds a fitted scorecard from its artifact.
   * @throws the verifyArtifact codes; E_MODEL_ARTIFACT_INVALID when params or state are malformed
   */
  static fromArtifact(a: Artifact): Scorecard {
    const art = verifyArtifact(a, 'scorecard');
    const params = parseArtifactPart(scorecardOptionsSchema, art.params, 'scorecard', 'params');
    const state = parseArtifactPart(scorecardStateSchema, art.state, 'scorecard', 'state') as ScorecardState;
    const names = new Set(state.binnings.map((b) => b.variable));
    state.variables.forEach((v, j) => {
      const b = state.binnings.find((c) => c.variable === v);
      if (!names.has(v) || b === undefined || state.points[j]?.length !== b.table.rows.length) {
        throw new RiskError(
          'E_MODEL_ARTIFACT_INVALID',
          `scorecard artifact state.points[${j}] does not match the bins of ${v}`,
          {
            path: ['state', 'points', j],
          },
        );
      }
    });
    const card = new Scorecard(params);
    card.params = params;
    card.state = state;
    return card;
  }

  /** optbinning's `information()`: the points table with each bin's count, event rate and WoE. */
  report(): string {
    const s = this.fitted();
    const lines = [
      `scorecard: ${s.variables.length} variables; score = offset ${s.scaling.offset.toFixed(2)} + factor ${s.scaling.factor.toFixed(4)} × ln(odds)`,
    ];
    for (const l of this.lookup()) {
      lines.push(`${l.binning.variable} (IV ${l.binning.table.iv.toFixed(4)})`);
      l.binning.table.rows.forEach((r, b) => {
        lines.push(
          `  ${r.label.padEnd(30)} ${String(r.count).padStart(8)}  ${r.eventRate.toFixed(4)}  ${r.woe.toFixed(4).padStart(8)}  ${String(l.points[b]).padStart(5)}`,
        );
      });
    }
    return lines.join('\n');
  }
}

/**
 * The variables the regression starts from: every variable the binning selection kept, or with `select`
 * the stepwise choice among them (searched, or reused from `stepwiseResult`).
 * @throws E_DATA_INVALID when stepwise keeps no variable
 */
function chooseVariables(
  variables: readonly string[],
  woe: readonly Float64Array[],
  y: Float64Array,
  weight: Float64Array | undefined,
  params: ScorecardOptions,
  options: FitOptions,
  byName: ReadonlyMap<string, VariableBinning>,
  warnings: string[],
): { variables: readonly string[]; stepwise?: StepwiseResult } {
  if (params.select === 'none') return { variables };
  let result = params.stepwiseResult;
  if (result === undefined) {
    const v = options.validation;
    result = stepwise(
      {
        names: variables,
        columns: woe,
        y,
        weight,
        validation:
          v === undefined || v.y.length === 0
            ? undefined
            : {
                columns: variables.map((name) =>
                  woeColumn(byName.get(name) as VariableBinning, v.x.column(name)),
                ),
                y: checkTarget(v.y, v.x.nRows),
              },
      },
      {
        direction: params.select,
        criterion: params.selectBy,
        l2: params.l2,
        maxIter: params.maxIter,
        tol: params.tol,
      },
    );
  } else {
    const lost = result.variables.filter((name) => !variables.includes(name));
    if (lost.length > 0)
      warnings.push(
        `stepwise variables no longer passing the binning selection were left out: ${lost.join(', ')}`,
      );
  }
  const kept = result.variables.filter((name) => variables.includes(name));
  if (kept.length === 0) {
    throw new RiskError(
      'E_DATA_INVALID',
      `stepwise (${params.select}, ${params.selectBy}) kept no variable: none improves the criterion on the intercept alone`,
      { path: ['select'], expected: 'at least one variable improving the criterion', received: result.start },
    );
  }
  return { variables: kept, stepwise: result };
}

/**
 * The logistic regression on WoE columns; with `dropWrongSign`, drops the variable with the largest
 * positive coefficient and refits until every coefficient is ≤ 0 (with WoE = ln(good share / bad share),
 * more WoE must mean fewer defaults).
 */
function fitSignedRegression(
  names: readonly string[],
  woe: readonly Float64Array[],
  y: Float64Array,
  weight: Float64Array | undefined,
  params: ScorecardOptions,
  logger: Logger,
): { variables: string[]; fit: LogisticFit; wrongSign: { variable: string; coef: number }[] } {
  let variables = [...names];
  let columns = [...woe];
  const wrongSign: { variable: string; coef: number }[] = [];
  let start: LogisticFitOptions['start'];
  for (;;) {
    const fit = fitLogistic(designOf(columns, y.length), y, {
      l2: params.l2,
      maxIter: params.maxIter,
      tol: params.tol,
      sampleWeight: weight,
      start,
    });
    let worst = -1;
    fit.coef.forEach((c, j) => {
      if (c > 0 && (worst < 0 || c > (fit.coef[worst] as number))) worst = j;
    });
    if (!params.dropWrongSign || worst < 0 || variables.length === 1) {
      if (!fit.converged)
        logger.warn({ iterations: fit.iterations }, 'scorecard regression did not converge');
      return { variables, fit, wrongSign };
    }
    const dropped = { variable: variables[worst] as string, coef: fit.coef[worst] as number };
    wrongSign.push(dropped);
    logger.warn(dropped, 'dropped a variable with a wrong-sign coefficient');
    variables = variables.filter((_, j) => j !== worst);
    columns = columns.filter((_, j) => j !== worst);
    // Each refit starts from the last solution without the dropped variable: a few Newton steps.
    start = { intercept: fit.intercept, coef: Array.from(fit.coef).filter((_, j) => j !== worst) };
  }
}

function pick(o: FitOptions): Pick<FitOptions, 'onProgress'> {
  return o.onProgress === undefined ? {} : { onProgress: o.onProgress };
}

function fmt4(v: number): string {
  return v.toFixed(4);
}
