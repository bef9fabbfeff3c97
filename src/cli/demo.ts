import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readSync } from 'node:fs';
import { join, relative } from 'node:path';
import { formatEvaluateResult, runEvaluate } from './evaluate.js';
import { buildFeatures } from './features.js';
import { ROOT } from './options.js';
import { runPredict } from './predict.js';
import { type CommandIo, runTrain } from './train.js';

/** The repository root, found from this file, so the demo runs from any working directory. */

/** Options of `rongdan demo`. */
export interface DemoOptions {
  readonly input: string;
  readonly out: string;
  readonly models: string;
  /** The first as-of date of the out-of-time part the shipped models never saw. */
  readonly ootFrom: string;
  readonly progress: boolean;
}

/** The shipped model directories under `models/` (`<name>/<version>/model.json`), sorted. */
export function shippedModels(modelsDir: string): string[] {
  if (!existsSync(modelsDir)) return [];
  const found: string[] = [];
  for (const name of readdirSync(modelsDir, { withFileTypes: true })) {
    if (!name.isDirectory()) continue;
    for (const version of readdirSync(join(modelsDir, name.name), { withFileTypes: true })) {
      const dir = join(modelsDir, name.name, version.name);
      if (version.isDirectory() && existsSync(join(dir, 'model.json'))) found.push(dir);
    }
  }
  return found.sort();
}

/**
 * `rongdan demo`, the README's main job on embedded defaults: the committed multi-source sample goes
 * through ingest and the feature pipeline, then the shipped admission models (or, without them, a freshly
 * trained scorecard) score every borrower with reasons, and their discrimination is measured, out of time
 * where the feature file has as-of dates.
 */
export async function runDemo(opts: DemoOptions, io: CommandIo): Promise<void> {
  const say = (line: string): void => {
    io.stdout.write(`${line}\n`);
  };
  mkdirSync(opts.out, { recursive: true });
  const features = join(opts.out, 'features.csv');
  const rejects = join(opts.out, 'rejects.csv');
  say(`1. features: ${opts.input} → ${features}`);
  const built = await buildFeatures({ input: opts.input, out: features, rejects });
  say(
    `   ${built.read} applications read, ${built.rows} accepted, ${built.rejected} rejected (see ${rejects}); ` +
      `${built.features} features in ${built.seconds.toFixed(2)} s (${Math.round(built.read / built.seconds)} borrowers/s)`,
  );

  let models = shippedModels(opts.models);
  if (models.length === 0) {
    const dir = join(opts.out, 'scorecard');
    say(`2. no shipped models under ${opts.models}: training a scorecard → ${dir}`);
    await runTrain(
      {
        data: features,
        target: 'default_12m',
        model: 'scorecard',
        out: dir,
        seed: 42,
        validation: 0.2,
        progress: false,
      },
      { stdout: { write: () => true } as unknown as NodeJS.WritableStream, stderr: io.stderr },
    );
    models = [dir];
  } else {
    say(`2. shipped models: ${models.map((m) => relative(ROOT, m)).join(', ')}`);
  }

  for (const model of models) {
    const name = relative(ROOT, model).replace(/[\\/]/g, '_');
    const predictions = join(opts.out, `predictions-${name}.csv`);
    const p = await runPredict(
      { model, data: features, out: predictions, reasons: 3, lang: 'zh', progress: opts.progress },
      io,
    );
    say(`3. ${relative(ROOT, model)}: scored ${p.rows} borrowers → ${predictions}`);
    const evaluation = await runEvaluate(
      {
        model,
        data: features,
        target: 'default_12m',
        json: false,
        progress: false,
        ...(hasAsOf(features) ? { date: 'as_of', ootFrom: opts.ootFrom } : {}),
      },
      io,
    );
    say(formatEvaluateResult(evaluation).replace(/^/gm, '   '));
  }
}

/** True when the feature file carries the as-of date (for an out-of-time view). */
function hasAsOf(featuresCsv: string): boolean {
  return firstLine(featuresCsv).split(',').includes('as_of');
}

function firstLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(65536);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString('utf8');
    return text.slice(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n'));
  } finally {
    closeSync(fd);
  }
}

/** `rongdan demo`: the pipeline on the committed sample. */
export async function demoCommand(flags: DemoOptions): Promise<void> {
  await runDemo(flags, { stdout: process.stdout, stderr: process.stderr });
}
