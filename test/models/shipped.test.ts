import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedModels } from '../../src/cli/demo.js';
import { buildFeatures } from '../../src/cli/features.js';
import { readCsvFrame } from '../../src/core/frame.js';
import { auc } from '../../src/evaluation/metrics.js';
import { openModel } from '../../src/models/registry.js';

// Every artifact committed in models/ must load, verify and reproduce the metrics its card states, on the
// committed sample it was trained on (the features are rebuilt here from data-samples/).
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const models = shippedModels(join(root, 'models'));
const dir = mkdtempSync(join(tmpdir(), 'rongdan-shipped-'));
const features = join(dir, 'features.csv');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  await buildFeatures({
    input: join(root, 'data-samples'),
    out: features,
    rejects: join(dir, 'rejects.csv'),
  });
  // 5,000 borrowers through the whole pipeline: allow for a loaded machine.
}, 120_000);

describe('shipped models', () => {
  it('a scorecard and a GBDT are shipped for admission, each with a model card', () => {
    const kinds = models.map((m) => JSON.parse(readFileSync(join(m, 'model.json'), 'utf8')).kind).sort();
    expect(kinds).toEqual(['gbdt', 'scorecard']);
    for (const m of models) expect(readdirSync(m)).toContain('model-card.md');
  });

  it.each(models.map((m) => [m.slice(root.length + 1), m]))(
    '%s loads and reproduces its out-of-time AUC on the sample',
    async (_name, path) => {
      const { model, artifact } = await openModel(path as string);
      const frame = await readCsvFrame(features, { categorical: Object.keys(artifact.categories) });
      const asOf = frame.column('as_of');
      expect(asOf.kind).toBe('categorical');
      const rows: number[] = [];
      if (asOf.kind === 'categorical') {
        for (let i = 0; i < frame.nRows; i++) {
          if ((asOf.levels[asOf.codes[i] as number] as string) >= '2025-10-01') rows.push(i);
        }
      }
      const oot = frame.take(rows);
      const pd = model.predictProba(oot.select(model.featureNames));
      expect(pd.every((p) => p > 0 && p < 1)).toBe(true);
      expect(rows.length).toBe(artifact.metrics.oot_rows);
      expect(auc(oot.numeric('default_12m'), pd)).toBeCloseTo(artifact.metrics.oot_auc as number, 10);
      expect(existsSync(join(path as string, 'model-card.md'))).toBe(true);
    },
  );
});
