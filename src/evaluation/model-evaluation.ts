import { RiskError } from '../core/errors.js';
import { columnsHint, type Frame } from '../core/frame.js';
import {
  type BinaryEvaluation,
  type CsiResult,
  csi,
  evaluateBinary,
  psi,
  type StabilityResult,
} from '../evaluation/metrics.js';
import type { TrainedModel } from '../models/model.js';
import { type BandTable, scoreBands } from './bands.js';

/**
 * A trained model measured on one labelled sample: the headline metrics and, when a baseline sample is
 * given, the stability of the score (PSI) and of each input variable (CSI) against it.
 */
export interface ModelEvaluation {
  readonly kind: string;
  readonly metrics: BinaryEvaluation;
  /** The score compared by PSI: integer points where the model has them, else the PD. */
  readonly scoreName: 'points' | 'pd';
  /** Score bands from the safest to the riskiest, of points where the model has them, else of PD. */
  readonly bands: BandTable;
  readonly psi?: StabilityResult;
  readonly csi?: readonly CsiResult[];
}

/** What a report needs beside the metrics: the per-row predictions. */
export interface ScoredSample {
  readonly pd: Float64Array;
  /** Points (higher = safer) where the model has them. */
  readonly points: Float64Array | undefined;
  readonly y: Float64Array;
}

/**
 * Reads the target column of a frame as 0/1, and returns the frame without it. The column holds 0/1, or
 * any values with `positive` naming the one that means bad.
 * @throws E_CSV_COLUMN when the column is absent; E_DATA_INVALID naming the first row that is missing or
 *   (without `positive`) not 0 or 1
 * @example const { x, y } = splitTarget(frame, 'status', 'default');
 */
export function splitTarget(frame: Frame, target: string, positive?: string): { x: Frame; y: Float64Array } {
  if (!frame.has(target)) {
    throw new RiskError(
      'E_CSV_COLUMN',
      `target column ${target} is not in the data; ${columnsHint(frame.names, target)}`,
      { column: target, expected: target, received: frame.names },
    );
  }
  const col = frame.column(target);
  const y = new Float64Array(frame.nRows);
  for (let i = 0; i < frame.nRows; i++) {
    const cell = frame.cell(i, target);
    if (cell === null) {
      throw new RiskError(
        'E_DATA_INVALID',
        `target column ${target} row ${i + 1}: expected a value, received nothing`,
        {
          column: target,
          row: i + 1,
          expected: positive === undefined ? '0 or 1' : 'a value',
          received: null,
        },
      );
    }
    if (positive !== undefined) {
      y[i] = String(cell) === positive || (col.kind === 'numeric' && Number(positive) === cell) ? 1 : 0;
      continue;
    }
    const v = typeof cell === 'string' ? Number(cell) : cell;
    if (v !== 0 && v !== 1) {
      throw new RiskError(
        'E_DATA_INVALID',
        `target column ${target} row ${i + 1}: expected 0 or 1, received ${JSON.stringify(cell)} (name the bad value with --positive)`,
        { column: target, row: i + 1, expected: '0 or 1', received: cell },
      );
    }
    y[i] = v;
  }
  return { x: frame.drop([target]), y };
}

/**
 * Scores a labelled frame with a model: PD per row, and points where the model has a score.
 * @throws E_DATA_INVALID when the model returns the wrong number of predictions
 */
export function scoreSample(model: TrainedModel, x: Frame, y: Float64Array): ScoredSample {
  const pd = model.predictProba(x);
  if (pd.length !== x.nRows) {
    throw new RiskError(
      'E_DATA_INVALID',
      `model ${model.kind} returned ${pd.length} predictions for ${x.nRows} rows`,
      { expected: `${x.nRows} predictions`, received: pd.length },
    );
  }
  const points = model.score === undefined ? undefined : model.score(x);
  return { pd, points, y };
}

/**
 * Evaluates a model on a labelled frame; with a baseline frame (e.g. the training sample, or the in-time
 * part of an out-of-time split) also the PSI of its score and the CSI of each of its features.
 * @param options.weights sample weights; options.bins groups for the tables (default 10)
 * @throws E_DATA_INVALID as `evaluateBinary`; E_FRAME_SHAPE when a feature kind differs in the baseline
 * @example evaluateModel(model, x, y, { baseline: trainX }).psi?.band
 */
export function evaluateModel(
  model: TrainedModel,
  x: Frame,
  y: Float64Array,
  options: {
    readonly baseline?: Frame;
    readonly weights?: ArrayLike<number>;
    readonly bins?: number;
    readonly scored?: ScoredSample;
  } = {},
): ModelEvaluation {
  const scored = options.scored ?? scoreSample(model, x, y);
  const metrics = evaluateBinary(y, scored.pd, {
    ...(options.weights === undefined ? {} : { weights: options.weights }),
    ...(options.bins === undefined ? {} : { bins: options.bins }),
  });
  const scoreName = scored.points === undefined ? 'pd' : 'points';
  const bands = scoreBands(scored.points ?? scored.pd, y, {
    higherIsSafer: scored.points !== undefined,
    ...(options.bins === undefined ? {} : { bands: options.bins }),
    ...(options.weights === undefined ? {} : { weight: options.weights }),
  });
  if (options.baseline === undefined) return { kind: model.kind, metrics, scoreName, bands };
  const base = scoreSample(model, options.baseline, new Float64Array(options.baseline.nRows));
  const variables = model.featureNames.filter((f) => x.has(f) && options.baseline?.has(f));
  return {
    kind: model.kind,
    metrics,
    scoreName,
    bands,
    psi: psi(base.points ?? base.pd, scored.points ?? scored.pd),
    csi: csi(options.baseline, x, { variables }),
  };
}

function pct(v: number): string {
  return `${(100 * v).toFixed(2)}%`;
}

/** Terminal columns of a text: CJK and full-width characters take two. */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(
      ch,
    )
      ? 2
      : 1;
  return w;
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((c, i) => {
      const fill = ' '.repeat(Math.max(0, (widths[i] ?? 0) - displayWidth(c)));
      return i === 0 ? c + fill : fill + c;
    })
    .join('  ');
}

/** A plain-text table: the first column left-aligned, the others right-aligned, two spaces apart. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) =>
    Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))),
  );
  return [pad(header, widths), ...rows.map((r) => pad(r, widths))];
}

function num(v: number, digits: number): string {
  return Number.isFinite(v) ? v.toFixed(digits) : Number.isNaN(v) ? '—' : '∞';
}

/**
 * A score-band table as text: one line per band from the safest, with the cut-off columns (approve this
 * band and every safer one: approval rate, bad rate of the approved).
 * @example formatBands(scoreBands(points, y, { higherIsSafer: true })).join('\n')
 */
export function formatBands(t: BandTable): string[] {
  const bound = (v: number): string => (t.scoreName === 'points' ? num(v, 0) : num(v, 4));
  return [
    `score bands of ${t.scoreName === 'points' ? 'points (highest first)' : 'pd (lowest first)'}: approve down to a band to read its cut-off`,
    ...textTable(
      ['band', 'rows', 'goods', 'bads', 'bad rate', 'odds', 'cum. approval', 'cum. bad rate', 'KS'],
      [
        ...t.rows.map((r) => [
          `${bound(r.lower)}–${bound(r.upper)}`,
          num(r.count, Number.isInteger(r.count) ? 0 : 1),
          num(r.goods, Number.isInteger(r.goods) ? 0 : 1),
          num(r.bads, Number.isInteger(r.bads) ? 0 : 1),
          Number.isNaN(r.badRate) ? '—' : pct(r.badRate),
          num(r.odds, 2),
          pct(r.cumApprovalRate),
          Number.isNaN(r.cumBadRateApproved) ? '—' : pct(r.cumBadRateApproved),
          num(r.ks, 4),
        ]),
        [
          'total',
          num(t.total.count, Number.isInteger(t.total.count) ? 0 : 1),
          num(t.total.goods, Number.isInteger(t.total.goods) ? 0 : 1),
          num(t.total.bads, Number.isInteger(t.total.bads) ? 0 : 1),
          Number.isNaN(t.total.badRate) ? '—' : pct(t.total.badRate),
          '',
          '',
          '',
          '',
        ],
      ],
    ),
  ];
}

/**
 * Formats an evaluation as plain-text tables for a terminal.
 * @example process.stdout.write(formatEvaluation(evaluation, 'test.csv'));
 */
export function formatEvaluation(e: ModelEvaluation, title: string): string {
  const m = e.metrics;
  const lines: string[] = [
    `${title} — ${e.kind}, ${m.rows} rows, ${m.events} bads (${pct(m.eventRate)})`,
    '',
    ...textTable(
      ['metric', 'value'],
      [
        ['AUC', m.auc.toFixed(4)],
        ['Gini', m.gini.toFixed(4)],
        ['KS', m.ks.toFixed(4)],
        ['KS threshold (pd)', m.ksThreshold.toPrecision(4)],
        ['Brier', m.brier.toFixed(4)],
        ['log loss', m.logLoss.toFixed(4)],
        ...(e.psi === undefined ? [] : [[`PSI (${e.scoreName})`, `${e.psi.value.toFixed(4)} ${e.psi.band}`]]),
      ],
    ),
    '',
    'calibration by decile of predicted pd',
    ...textTable(
      ['bin', 'rows', 'pd range', 'mean pd', 'observed', 'bads'],
      m.calibration.map((r) => [
        String(r.bin),
        String(r.count),
        `${r.minPd.toFixed(4)}–${r.maxPd.toFixed(4)}`,
        pct(r.meanPd),
        pct(r.observedRate),
        String(r.events),
      ]),
    ),
    '',
    'lift and gains by decile (riskiest first)',
    ...textTable(
      ['decile', 'rows', 'bad rate', 'lift', 'cum. pop.', 'gain', 'cum. lift'],
      m.lift.map((r) => [
        String(r.decile),
        String(r.count),
        pct(r.eventRate),
        r.lift.toFixed(2),
        pct(r.cumCountShare),
        pct(r.gain),
        r.cumLift.toFixed(2),
      ]),
    ),
  ];
  lines.push('', ...formatBands(e.bands));
  if (e.csi !== undefined && e.csi.length > 0) {
    lines.push(
      '',
      'characteristic stability (CSI) against the baseline',
      ...textTable(
        ['variable', 'CSI', 'band'],
        [...e.csi].sort((a, b) => b.value - a.value).map((c) => [c.variable, c.value.toFixed(4), c.band]),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
