import { evaluateModel } from '../evaluation/model-evaluation.js';
import { screenVariables } from '../evaluation/screening.js';
import { openModel } from '../models/registry.js';
import { Scorecard } from '../models/scorecard.js';
import { scorecardCard } from '../models/scorecard-export.js';
import {
  binningExportTable,
  type ExportTable,
  liftExportTable,
  metricsExportTable,
  scorecardExportTables,
  screeningExportTable,
  selectionExportTable,
  writeTables,
} from '../report/export.js';
import type { Lang } from '../report/labels.js';
import { loadLabelledData } from './evaluate.js';
import { langOption } from './screen.js';
import type { CommandIo } from './train.js';

/** Options of `rongdan export`. */
export interface ExportCommandOptions {
  readonly model: string;
  /** A labelled CSV: adds its metrics, lift table and screening table. */
  readonly data?: string;
  /** The target column of `data`; default the one the model was trained on. */
  readonly target?: string;
  readonly positive?: string;
  /** FILE.xlsx for one workbook; otherwise a directory of CSV files. */
  readonly out: string;
  readonly lang?: string;
  readonly progress?: boolean;
}

/** What `rongdan export` wrote. */
export interface ExportSummary {
  readonly kind: string;
  readonly lang: Lang;
  /** The tables, by file name, with their row counts. */
  readonly tables: readonly { readonly file: string; readonly rows: number }[];
  readonly written: readonly string[];
}

/**
 * `rongdan export`: a model's tables for Excel. A scorecard gives its scaling, its points per bin, the
 * binning table of every candidate (points on the model's variables) and its own kept / dropped reasons;
 * every family gives its training metrics. With `--data`, also the metrics and lift table on that file and
 * the screening table of its columns against the target.
 * @throws E_MODEL_ARTIFACT_* for a bad model; the codes of `loadLabelledData` and `screenVariables` with
 *   --data; E_OPTIONS_INVALID for a bad --lang or a .csv --out; E_IO
 */
export async function runExport(opts: ExportCommandOptions, io: CommandIo): Promise<ExportSummary> {
  const lang = langOption(opts.lang);
  const tables: ExportTable[] = [];
  const labelled =
    opts.data === undefined
      ? undefined
      : await loadLabelledData(
          {
            model: opts.model,
            data: opts.data,
            ...(opts.target === undefined ? {} : { target: opts.target }),
            ...(opts.positive === undefined ? {} : { positive: opts.positive }),
            progress: opts.progress ?? false,
          },
          io,
        );
  const { artifact } = labelled ?? (await openModel(opts.model));
  if (artifact.kind === 'scorecard') {
    // The card itself, not the (possibly calibrated) wrapper the registry returns: points come from it.
    const card = Scorecard.fromArtifact(artifact);
    const exported = scorecardCard(card);
    tables.push(...scorecardExportTables(exported, lang));
    const points = new Map(exported.variables.map((v) => [v.variable, v.bins.map((b) => b.points)]));
    tables.push(
      binningExportTable(
        card.fitted().binnings.map((b) => b.table),
        lang,
        points,
      ),
    );
    tables.push(selectionExportTable(card.variableSelection(), lang));
  }
  const metrics = metricsExportTable(artifact.metrics, lang);
  if (labelled !== undefined) {
    const e = evaluateModel(labelled.model, labelled.x, labelled.y);
    const m = e.metrics;
    const onData = metricsExportTable(
      {
        rows: m.rows,
        events: m.events,
        eventRate: m.eventRate,
        auc: m.auc,
        gini: m.gini,
        ks: m.ks,
        brier: m.brier,
        logLoss: m.logLoss,
      },
      lang,
      opts.data,
    );
    tables.push({ ...metrics, rows: [...metrics.rows, ...onData.rows] }, liftExportTable(m.lift));
    tables.push(screeningExportTable(screenVariables(labelled.x, labelled.y).result, lang));
  } else tables.push(metrics);
  const written = await writeTables(opts.out, tables, lang);
  return {
    kind: artifact.kind,
    lang,
    tables: tables.map((t) => ({ file: t.file, rows: t.rows.length })),
    written,
  };
}

/** `rongdan export`: writes the tables and lists them. */
export async function exportCommand(opts: ExportCommandOptions): Promise<void> {
  const io = { stdout: process.stdout, stderr: process.stderr };
  const s = await runExport(opts, io);
  const lines = s.tables.map((t) => `  ${t.file}: ${t.rows} rows`);
  io.stdout.write(`exported ${s.kind} (${s.lang}):\n${lines.join('\n')}\nwrote ${s.written.join(', ')}\n`);
}
