import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  createArtifact,
  fingerprintFrame,
  loadArtifact,
  saveArtifact,
  verifyArtifact,
} from '../../src/core/artifact.js';
import type { RiskError } from '../../src/core/errors.js';
import { Frame, numeric } from '../../src/core/frame.js';

const body = {
  kind: 'test-model',
  params: { b: 2, a: 1 },
  featureNames: ['x'],
  categories: {},
  dataFingerprint: null,
  metrics: { auc: 0.75 },
  state: { weights: [0.5, -1] },
};

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    return (err as RiskError).code;
  }
  return 'no error';
}

describe('artifacts', () => {
  it('canonical JSON sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: 2 } })).toBe(
      '{"a":{"c":2,"d":[3,{"e":2,"f":1}]},"b":1}',
    );
  });

  it('round-trips through a file, byte-identical when written twice', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rongdan-art-'));
    saveArtifact(join(dir, 'a.json'), createArtifact(body));
    saveArtifact(join(dir, 'b.json'), createArtifact({ ...body, params: { a: 1, b: 2 } }));
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe(readFileSync(join(dir, 'b.json'), 'utf8'));
    expect(loadArtifact(join(dir, 'a.json'), 'test-model').state).toEqual({ weights: [0.5, -1] });
  });

  it('refuses a tampered, unknown-version or wrong-kind artifact with its code', () => {
    const a = createArtifact(body);
    expect(codeOf(() => verifyArtifact({ ...a, state: { weights: [9, 9] } }))).toBe(
      'E_MODEL_ARTIFACT_CHECKSUM',
    );
    expect(codeOf(() => verifyArtifact({ ...a, schemaVersion: '2.0' }))).toBe('E_MODEL_ARTIFACT_VERSION');
    expect(codeOf(() => verifyArtifact(a, 'scorecard'))).toBe('E_MODEL_ARTIFACT_KIND');
    expect(codeOf(() => verifyArtifact({ hello: 1 }))).toBe('E_MODEL_ARTIFACT_INVALID');
    const dir = mkdtempSync(join(tmpdir(), 'rongdan-art-'));
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    expect(codeOf(() => loadArtifact(join(dir, 'bad.json')))).toBe('E_JSON_PARSE');
    expect(codeOf(() => loadArtifact(join(dir, 'missing.json')))).toBe('E_IO');
  });

  it('the data fingerprint changes with any value', () => {
    const f = Frame.fromColumns([numeric('x', [1, 2, 3])]);
    const g = Frame.fromColumns([numeric('x', [1, 2, 4])]);
    expect(fingerprintFrame(f).sha256).toBe(
      fingerprintFrame(Frame.fromColumns([numeric('x', [1, 2, 3])])).sha256,
    );
    expect(fingerprintFrame(f).sha256).not.toBe(fingerprintFrame(g).sha256);
    expect(fingerprintFrame(f, [0, 1, 0]).sha256).not.toBe(fingerprintFrame(f, [0, 1, 1]).sha256);
  });
});
