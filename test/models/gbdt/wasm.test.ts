import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/core/artifact.js';
import { createTrainArrays } from '../../../src/models/gbdt/arrays.js';
import { applyBins, fitBins, parseGbdtOptions, trainGbdt } from '../../../src/models/gbdt/index.js';
import { histogramChunk, TASK_GRADIENTS } from '../../../src/models/gbdt/kernels.js';
import { KERNELS } from '../../../src/models/gbdt/team.js';
import { histogramModule, histogramWasmBytes } from '../../../src/models/gbdt/wasm.js';
import { creditSample } from './helpers.js';

const sample = creditSample(30_000, 5);

describe('the WebAssembly histogram kernel', () => {
  it('is valid WebAssembly for a shared and an unshared memory', () => {
    for (const shared of [false, true]) {
      expect(WebAssembly.validate(histogramWasmBytes(shared))).toBe(true);
      expect(histogramModule(shared)).not.toBeNull();
    }
  });

  it('builds the same histograms as the JavaScript loop, to the last bit (property)', () => {
    const params = parseGbdtOptions({});
    const info = fitBins(sample.x, { maxBins: 255, sampleSize: 200_000, seed: 1 });
    const data = applyBins(sample.x, sample.x.names, info);
    const wasm = createTrainArrays(data, sample.y, undefined, params, [0, 0, 0, 0, 0], 2, false);
    const js = createTrainArrays(data, sample.y, undefined, params, [0, 0, 0, 0, 0], 2, false);
    expect(wasm.wasm).not.toBeNull();
    js.wasm = null;
    for (const a of [wasm, js]) {
      for (let i = 0; i < a.n; i++) a.margin[i] = ((i % 11) - 5) / 3;
      a.ip.set([TASK_GRADIENTS, 1, a.n, 0]);
      KERNELS[TASK_GRADIENTS]?.(a, 0);
    }
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: sample.y.length - 1 }), { minLength: 0, maxLength: 3000 }),
        fc.subarray([0, 1, 2, 3, 4], { minLength: 1 }),
        fc.integer({ min: 1, max: 3 }),
        (rows, features, chunks) => {
          rows.sort((x, y) => x - y);
          for (const a of [wasm, js]) {
            a.idx.set(rows);
            a.features.set(features);
            for (let c = 0; c < chunks; c++)
              histogramChunk(a, c, chunks, 0, -1, 0, rows.length, features.length);
          }
          // Both pools hold the same numbers (bins of features not in use were left as they were).
          expect(Array.from(wasm.hist)).toEqual(Array.from(js.hist));
        },
      ),
      { numRuns: 60, seed: 7 },
    );
    // Rows were added: the property did not pass on empty histograms.
    expect(wasm.hist.some((v) => v !== 0)).toBe(true);
  });
});

describe('training', () => {
  // SHA-256 of the models trained before the WebAssembly kernel (commit 680c870), on one thread and two.
  const cases: [string, Record<string, number>, string][] = [
    [
      'full trees of depth 6',
      { nEstimators: 15, maxDepth: 6, maxLeaves: 64, minDataInLeaf: 1, minChildWeight: 1 },
      '84cc233100104f3561e63294917bb2d2c7f32e4d339851e02391a1f20e452323',
    ],
    [
      'bagged, column-sampled and weighted',
      { nEstimators: 15, maxDepth: 5, maxLeaves: 20, subsample: 0.7, colsampleByTree: 0.6, minDataInLeaf: 5 },
      '276eb898d942eb51a8f19d422468c609456f28f5c465dc062f4cc2b69af797bd',
    ],
  ];
  for (const [name, opts, hash] of cases) {
    it(`grows today's trees, to the last bit, on one thread and two: ${name}`, () => {
      const params = parseGbdtOptions(opts);
      const info = fitBins(sample.x, { maxBins: params.maxBins, sampleSize: params.binSampleSize, seed: 3 });
      const data = applyBins(sample.x, sample.x.names, info);
      const w = Float64Array.from(sample.y, (_, i) => 0.5 + (i % 3) / 2);
      for (const threads of [1, 2] as const) {
        const options = opts.subsample === undefined ? { threads } : { threads, sampleWeight: w };
        const model = trainGbdt(data, sample.y, params, options);
        expect(createHash('sha256').update(canonicalJson(model)).digest('hex'), `${threads} thread(s)`).toBe(
          hash,
        );
      }
    });
  }
});
