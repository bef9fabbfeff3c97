import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Artifact } from '../core/artifact.js';
import { csvCell } from '../core/csv.js';
import { ioError, RiskError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';
import { applyColumnTypes } from '../models/column-types.js';
import { ID_NAME } from '../models/dataset.js';
import { openModel } from '../models/registry.js';
import { requireDataRows } from './data-checks.js';
import { type CommandIo, progressBar, readWithProgress } from './train.js';

/** Options of `rongdan predict`. */
export interface PredictCommandOptions {
  readonly model: string;
  readonly data: string;
  readonly out: string;
  /** Top reasons per row (0 for none). */
  readonly reasons: number;
  readonly lang: 'en' | 'zh';
  /** Input columns copied to the output first; default the id-like columns of the input. */
  readonly id?: readonly string[];
  readonly progress: boolean;
  /** Print the summary as JSON. */
  readonly json?: boolean;
}

/** A categorical feature whose scoring data holds levels the model never saw in training. */
export interface UnseenCategories {
  readonly column: string;
  /** Rows holding an unseen level. */
  readonly rows: number;
  /** The unseen levels, most frequent first (at most 20). */
  readonly levels: readonly string[];
}

/** What `runPredict` did. */
export interface PredictSummary {
  readonly rows: number;
  readonly columns: readonly string[];
  readonly seconds: number;
  /** Per categorical feature with levels unseen in training: how many rows, which levels. */
  readonly unseen: readonly UnseenCategories[];
}

/**
 * The categorical features of a frame with levels outside the model's training levels (the artifact's
 * `categories`): each model scores such a level as it scores an unknown one (the scorecard's unseen bin,
 * GBDT's and the MLP's all-zero encoding, logistic's reference level), so a user should know how many.
 */
export function unseenCategories(frame: Frame, artifact: Artifact): UnseenCategories[] {
  const out: UnseenCategories[] = [];
  for (const [name, levels] of Object.entries(artifact.categories)) {
    if (!frame.has(name)) continue;
    const col = frame.column(name);
    if (col.kind !== 'categorical') continue;
    const known = new Set(levels);
    const counts = new Float64Array(col.levels.length);
    for (const code of col.codes) if (code >= 0) counts[code] = (counts[code] as number) + 1;
    const unseen = col.levels
      .map((level, k) => ({ level, n: counts[k] as number }))
      .filter((l) => l.n > 0 && !known.has(l.level))
      .sort((a, b) => b.n - a.n || (a.level < b.level ? -1 : 1));
    if (unseen.length === 0) continue;
    out.push({
      column: name,
      rows: unseen.reduce((s, l) => s + l.n, 0),
      levels: unseen.slice(0, 20).map((l) => l.level),
    });
  }
  return out;
}

/**
 * The summary `rongdan predict` prints: rows, output, time, and the unseen categories per column.
 * @example io.stdout.write(formatPredictSummary(summary, 'scores.csv'));
 */
export function formatPredictSummary(s: PredictSummary, out: string): string {
  const lines = [`scored ${s.rows} rows in ${s.seconds.toFixed(2)} s → ${out}`];
  for (const u of s.unseen) {
    lines.push(
      `unseen categories in ${u.column}: ${u.rows} rows (${u.levels.map((l) => JSON.stringify(l)).join(', ')}), scored as an unknown level`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Reads a CSV with each model feature in the kind it had in training (so that levels such as "01" survive),
 * and the columns parsed from text in training ("83.70%", "36 months") read as text and parsed the same way.
 * @throws E_CSV_COLUMN for a missing feature, E_CSV_VALUE for a value that does not read
 */
export async function readForModel(
  path: string,
  artifact: Artifact,
  io: CommandIo,
  progress: boolean,
): Promise<Frame> {
  const columnTypes = artifact.columnTypes ?? {};
  const categorical = [...Object.keys(artifact.categories), ...Object.keys(columnTypes)].filter((c) =>
    artifact.featureNames.includes(c),
  );
  const numeric = artifact.featureNames.filter((f) => !categorical.includes(f));
  const frame = await readWithProgress(path, io, progress, { categorical, numeric });
  return applyColumnTypes(frame, columnTypes, path);
}

/**
 * `rongdan predict`: scores a CSV with a saved model and writes one row per input row, in input order:
 * the id columns, the training target when the input has it (so that the output can be evaluated), `pd`,
 * `score` (points on the model's scale: every family has them) and the top reasons; the summary counts
 * the categorical levels unseen in training, per column. The target may be absent; the model's features
 * must be present, read with the kinds they had in training.
 * @throws E_MODEL_ARTIFACT_* for a bad model, E_CSV_COLUMN for a missing feature, E_CSV_VALUE for text in
 *   a numeric feature, E_CLI_NO_ROWS for a file with only a header
 */
export async function runPredict(opts: PredictCommandOptions, io: CommandIo): Promise<PredictSummary> {
  const started = performance.now();
  const { model, artifact } = await openModel(opts.model);
  const frame = await readForModel(opts.data, artifact, io, opts.progress);
  requireDataRows(frame, opts.data);
  const features = new Set(artifact.featureNames);
  const ids = opts.id ?? frame.names.filter((n) => !features.has(n) && ID_NAME.test(n));
  for (const id of ids) {
    if (!frame.has(id)) {
      throw new RiskError(
        'E_OPTIONS_INVALID',
        `--id: no column named ${JSON.stringify(id)} in ${opts.data}`,
        {
          path: ['id'],
          expected: 'a column of the data',
          received: id,
        },
      );
    }
  }
  // The artifact names the training target (older artifacts do not): copied through when present.
  const target = artifact.target?.column;
  const copied =
    target !== undefined && frame.has(target) && !ids.includes(target) ? [...ids, target] : [...ids];
  const pd = model.predictProba(frame);
  const score = model.score?.(frame);
  const k = model.reasons === undefined ? 0 : opts.reasons;
  const reasons = k > 0 ? model.reasons?.(frame, k) : undefined;
  const header = [...copied, 'pd', ...(score === undefined ? [] : ['score'])];
  for (let r = 1; r <= k; r++)
    header.push(`reason_${r}`, `reason_${r}_value`, `reason_${r}_impact`, `reason_${r}_text`);
  const bar = progressBar(io, opts.progress, 'writing', '{value}/{total} rows');
  // Feature names, bin labels and texts repeat on every row: quote each distinct one once.
  const quoted = new Map<string, string>();
  const q = (text: string): string => {
    let out = quoted.get(text);
    if (out === undefined) {
      out = csvCell(text);
      quoted.set(text, out);
    }
    return out;
  };
  const idCols = copied.map((id) => frame.column(id));
  const line = (i: number): string => {
    let out = '';
    for (const c of idCols) {
      if (c.kind === 'numeric') out += `${csvCell(c.values[i])},`;
      else out += `${(c.codes[i] as number) < 0 ? '' : q(c.levels[c.codes[i] as number] as string)},`;
    }
    out += csvCell(pd[i]);
    if (score !== undefined) out += `,${csvCell(score[i])}`;
    const row = reasons?.[i] ?? [];
    for (let r = 0; r < k; r++) {
      const reason = row[r];
      if (reason === undefined) out += ',,,,';
      else {
        const text = (opts.lang === 'zh' ? reason.zh : reason.en) ?? '';
        out += `,${q(reason.feature)},${q(reason.value)},${Number(reason.impact.toPrecision(6))},${q(text)}`;
      }
    }
    return out;
  };
  try {
    await writeLines(opts.out, header.map(csvCell).join(','), frame.nRows, line, (done) =>
      bar.update(done, frame.nRows),
    );
  } finally {
    bar.stop();
  }
  return {
    rows: frame.nRows,
    columns: header,
    seconds: (performance.now() - started) / 1000,
    unseen: unseenCategories(frame, artifact),
  };
}

/** Writes a header and `rows` lines in large chunks, waiting whenever the stream asks to. */
async function writeLines(
  path: string,
  header: string,
  rows: number,
  line: (i: number) => string,
  onProgress: (done: number) => void,
): Promise<void> {
  const stream = createWriteStream(path, { encoding: 'utf8' });
  const finished = new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.once('finish', () => resolve());
  });
  try {
    let chunk: string[] = [header];
    for (let i = 0; i < rows; i++) {
      chunk.push(line(i));
      if (chunk.length >= 16_384) {
        if (!stream.write(`${chunk.join('\n')}\n`)) await once(stream, 'drain');
        chunk = [];
        onProgress(i + 1);
      }
    }
    stream.end(chunk.length > 0 ? `${chunk.join('\n')}\n` : '');
    await finished;
  } catch (err) {
    stream.destroy();
    throw ioError('write', path, err);
  }
}

/** `rongdan predict`: scores the file and prints the summary. */
export async function predictCommand(opts: PredictCommandOptions): Promise<void> {
  const io: CommandIo = { stdout: process.stdout, stderr: process.stderr };
  const s = await runPredict(opts, io);
  io.stdout.write(
    opts.json ? `${JSON.stringify({ ...s, out: opts.out }, null, 2)}\n` : formatPredictSummary(s, opts.out),
  );
}
