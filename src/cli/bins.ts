import { writeFileSync } from 'node:fs';
import { type BinsFile, binsFileOf } from '../binning/user-bins.js';
import type { VariableBinning } from '../binning/variable.js';
import { ioError, RiskError } from '../core/errors.js';
import { loadModelArtifact } from '../models/registry.js';
import { Scorecard } from '../models/scorecard.js';

/**
 * `rongdan bins export`: the bins file of a saved scorecard — every candidate variable's cuts, category
 * groups, special values and unseen-category handling — which `train --bins` reads back.
 * @throws E_IO, E_MODEL_ARTIFACT_*; E_OPTIONS_INVALID when the model is not a scorecard
 * @example exportBins('models/card/1', 'bins.json')
 */
export function exportBins(model: string, out: string): BinsFile {
  const { artifact } = loadModelArtifact(model);
  if (artifact.kind !== 'scorecard') {
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `--model ${model} is a ${artifact.kind} model: only a scorecard has bins to export`,
      { path: ['model'], expected: 'a scorecard model directory', received: artifact.kind },
    );
  }
  // The raw artifact (no calibrator wrapper): its state holds every candidate's binning.
  const s = Scorecard.fromArtifact(artifact).fitted();
  const file = binsFileOf(s.binnings as readonly VariableBinning[], new Set(s.variables));
  try {
    writeFileSync(out, `${JSON.stringify(file, null, 1)}\n`);
  } catch (err) {
    throw ioError('write', out, err);
  }
  return file;
}

/** `rongdan bins export`: writes the bins file and says what to do with it. */
export function binsExportCommand(opts: { model: string; out: string }): void {
  const file = exportBins(opts.model, opts.out);
  const user = file.variables.length;
  process.stdout.write(
    `wrote ${opts.out}: ${user} variables (${file.variables.filter((v) => v.selected === true).length} in the model); edit cuts or groups, delete a variable to let the optimiser bin it, then train --bins ${opts.out}\n`,
  );
}
