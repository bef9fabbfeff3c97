import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import { RiskError } from '../../../src/core/errors.js';
import { initMlpBackend } from '../../../src/models/mlp/backend.js';
import { directoryHandler, MLP_TOPOLOGY_FILE, MLP_WEIGHTS_FILE } from '../../../src/models/mlp/io.js';
import { MLP_ARTIFACT_FILE, Mlp } from '../../../src/models/mlp/mlp.js';
import { syntheticCredit } from './synthetic.js';

const root = mkdtempSync(join(tmpdir(), 'rongdan-mlp-io-'));
const data = syntheticCredit(300, 11);
let model: Mlp;
let dir: string;

async function codeOf(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work;
  } catch (err) {
    return err instanceof RiskError ? err.code : `not a RiskError: ${String(err)}`;
  }
  return undefined;
}

/** A copy of the saved model directory, with one file changed. */
function copyWith(name: string, change: (bytes: Buffer) => Buffer): string {
  const copy = mkdtempSync(join(root, 'copy-'));
  for (const f of [MLP_ARTIFACT_FILE, MLP_TOPOLOGY_FILE, MLP_WEIGHTS_FILE]) {
    const bytes = readFileSync(join(dir, f));
    writeFileSync(join(copy, f), f === name ? change(bytes) : bytes);
  }
  return copy;
}

beforeAll(async () => {
  await initMlpBackend();
  model = new Mlp({ hiddenLayers: [6, 4], maxEpochs: 5, seed: 5 }).fit(data.x, data.y);
  dir = join(root, 'model');
  await model.save(dir, { clock: fixedClock('2025-01-01T00:00:00Z') });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('saving through the TF.js io handler', () => {
  it('writes the envelope, the TF.js topology and weights.bin, with the weights by reference', () => {
    for (const f of [MLP_ARTIFACT_FILE, MLP_TOPOLOGY_FILE, MLP_WEIGHTS_FILE])
      expect(existsSync(join(dir, f))).toBe(true);
    const envelope = JSON.parse(readFileSync(join(dir, MLP_ARTIFACT_FILE), 'utf8'));
    expect(envelope.kind).toBe('mlp');
    expect(envelope.state.weights.file).toBe(MLP_WEIGHTS_FILE);
    expect(envelope.state.weights.base64).toBeUndefined();
    // 7 inputs → 6 → 4 → 1: (7·6 + 6) + (6·4 + 4) + (4 + 1) floats.
    expect(readFileSync(join(dir, MLP_WEIGHTS_FILE)).byteLength).toBe(4 * (48 + 28 + 5));
    const topology = JSON.parse(readFileSync(join(dir, MLP_TOPOLOGY_FILE), 'utf8'));
    expect(topology.format).toBe('layers-model');
    expect(topology.weightsManifest[0].paths).toEqual([MLP_WEIGHTS_FILE]);
    expect(topology.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toEqual([
      'hidden_1/kernel',
      'hidden_1/bias',
      'hidden_2/kernel',
      'hidden_2/bias',
      'output/kernel',
      'output/bias',
    ]);
  });

  it('loads back through the handler and predicts identically', async () => {
    const again = await Mlp.fromArtifactDir(dir);
    expect(Array.from(again.predictProba(data.x))).toEqual(Array.from(model.predictProba(data.x)));
    expect(again.toArtifact().sha256).toBe(model.toArtifact().sha256);
    again.dispose();
  });

  it('writes byte-identical files for the same model, twice', async () => {
    const second = join(root, 'second');
    await model.save(second);
    for (const f of [MLP_ARTIFACT_FILE, MLP_TOPOLOGY_FILE, MLP_WEIGHTS_FILE]) {
      expect(readFileSync(join(second, f)).equals(readFileSync(join(dir, f)))).toBe(true);
    }
  });

  it('rebuilds from an envelope by reference only when given the weights bytes', () => {
    const envelope = JSON.parse(readFileSync(join(dir, MLP_ARTIFACT_FILE), 'utf8'));
    expect(() => Mlp.fromArtifact(envelope)).toThrow(
      expect.objectContaining({ code: 'E_MODEL_ARTIFACT_INVALID' }),
    );
    const again = Mlp.fromArtifact(envelope, readFileSync(join(dir, MLP_WEIGHTS_FILE)));
    expect(Array.from(again.predictProba(data.x))).toEqual(Array.from(model.predictProba(data.x)));
    again.dispose();
  });

  it('refuses tampered weights, a changed topology and a tampered envelope', async () => {
    const flipped = copyWith(MLP_WEIGHTS_FILE, (b) => {
      const c = Buffer.from(b);
      c[3] = (c[3] as number) ^ 0x01;
      return c;
    });
    expect(await codeOf(Mlp.fromArtifactDir(flipped))).toBe('E_MODEL_ARTIFACT_CHECKSUM');
    const relu = copyWith(MLP_TOPOLOGY_FILE, (b) =>
      Buffer.from(b.toString('utf8').replace('"relu"', '"tanh"')),
    );
    expect(await codeOf(Mlp.fromArtifactDir(relu))).toBe('E_MODEL_ARTIFACT_CHECKSUM');
    const envelope = copyWith(MLP_ARTIFACT_FILE, (b) =>
      Buffer.from(b.toString('utf8').replace('"seed": 5', '"seed": 6')),
    );
    expect(await codeOf(Mlp.fromArtifactDir(envelope))).toBe('E_MODEL_ARTIFACT_CHECKSUM');
  });

  it('reports a missing directory as E_IO and a manifest that points elsewhere as invalid', async () => {
    expect(await codeOf(Mlp.fromArtifactDir(join(root, 'nowhere')))).toBe('E_IO');
    const elsewhere = copyWith(MLP_TOPOLOGY_FILE, (b) =>
      Buffer.from(b.toString('utf8').replace(`"${MLP_WEIGHTS_FILE}"`, '"../secret.bin"')),
    );
    expect(await codeOf(directoryHandler(elsewhere).load?.() ?? Promise.resolve())).toBe(
      'E_MODEL_ARTIFACT_INVALID',
    );
  });
});
