import { describe, expect, it } from 'vitest';
import { type Artifact, canonicalJson, sha256 } from '../../src/core/artifact.js';
import type { ErrorCode } from '../../src/core/errors.js';
import type { Column, Frame } from '../../src/core/frame.js';
import type { Estimator } from '../../src/models/estimator.js';

/** What the estimator contract suite needs to know about one estimator. */
export interface ContractSubject {
  /** Shown in the test names. */
  readonly name: string;
  /** The artifact kind the estimator writes. */
  readonly kind: string;
  /** A new estimator; no options means every default. */
  create(options?: Record<string, unknown>): Estimator;
  fromArtifact(artifact: Artifact): { predictProba(x: Frame): Float64Array };
  /** Training data on which the defaults fit (a few thousand rows at most: the suite fits several times). */
  data(): { x: Frame; y: Float64Array };
  /** Options that `fit` must reject, with the code and a text the message must contain (the field name). */
  readonly badOptions: readonly {
    readonly options: Record<string, unknown>;
    readonly code: ErrorCode;
    readonly mentions: string;
  }[];
}

function snapshot(x: Frame, y: Float64Array): unknown {
  return {
    y: Array.from(y),
    columns: x.columns.map((c: Column) =>
      c.kind === 'numeric'
        ? { name: c.name, values: Array.from(c.values, (v) => (Number.isNaN(v) ? 'NaN' : v)) }
        : { name: c.name, codes: Array.from(c.codes), levels: [...c.levels] },
    ),
  };
}

/** Re-seals an edited artifact so that only the edit (not the checksum) can make it fail. */
function reseal(a: Artifact, edit: Partial<Artifact>): Artifact {
  const { sha256: _old, ...rest } = { ...a, ...edit };
  return { ...rest, sha256: sha256(canonicalJson(rest)) } as Artifact;
}

/**
 * The estimator contract (style.md §3.1), as one suite every estimator runs: defaults fit; use before fit
 * fails with E_NOT_FITTED; inputs are not mutated; a JSON round trip predicts identically; the same data
 * and options give a byte-identical artifact; bad options fail with their code; a tampered, newer-major or
 * other-kind artifact refuses to load.
 * @example estimatorContract({ name: 'Scorecard', kind: 'scorecard', create: (o) => new Scorecard(o), … });
 */
export function estimatorContract(subject: ContractSubject): void {
  describe(`${subject.name} honours the estimator contract`, () => {
    const { x, y } = subject.data();
    const fitted = subject.create().fit(x, y);

    it('fits with its defaults, returns itself and predicts one probability per row', () => {
      const est = subject.create();
      expect(est.isFitted).toBe(false);
      expect(est.fit(x, y)).toBe(est);
      expect(est.isFitted).toBe(true);
      expect(est.kind).toBe(subject.kind);
      const p = est.predictProba(x);
      expect(p).toBeInstanceOf(Float64Array);
      expect(p.length).toBe(x.nRows);
      expect(p.every((v) => v > 0 && v < 1)).toBe(true);
    });

    it('fails with E_NOT_FITTED before fit', () => {
      const est = subject.create();
      expect(() => est.predictProba(x)).toThrow(expect.objectContaining({ code: 'E_NOT_FITTED' }));
      expect(() => est.toArtifact()).toThrow(expect.objectContaining({ code: 'E_NOT_FITTED' }));
    });

    it('does not mutate its inputs', () => {
      const before = snapshot(x, y);
      const est = subject.create().fit(x, y);
      est.predictProba(x);
      est.toArtifact();
      expect(snapshot(x, y)).toEqual(before);
    });

    it('predicts identically after a JSON round trip', () => {
      const text = canonicalJson(fitted.toArtifact(), 1);
      const loaded = subject.fromArtifact(JSON.parse(text) as Artifact);
      expect(Array.from(loaded.predictProba(x))).toEqual(Array.from(fitted.predictProba(x)));
    });

    it('predicts the same whatever the column order, ignoring extra columns', () => {
      const shuffled = x.select([...x.names].reverse());
      const extra = shuffled.with({ kind: 'numeric', name: '__unused__', values: new Float64Array(x.nRows) });
      expect(Array.from(fitted.predictProba(extra))).toEqual(Array.from(fitted.predictProba(x)));
    });

    it('writes a byte-identical artifact for the same data and options, with a data fingerprint', () => {
      const a = canonicalJson(subject.create().fit(x, y).toArtifact(), 1);
      const b = canonicalJson(subject.create().fit(x, y).toArtifact(), 1);
      expect(a).toBe(b);
      const art = fitted.toArtifact();
      expect(art.kind).toBe(subject.kind);
      expect(art.dataFingerprint?.rows).toBe(x.nRows);
      expect(art.featureNames.length).toBeGreaterThan(0);
    });

    for (const bad of subject.badOptions) {
      it(`rejects ${JSON.stringify(bad.options)} with ${bad.code}`, () => {
        expect(() => subject.create(bad.options).fit(x, y)).toThrow(
          expect.objectContaining({ code: bad.code, message: expect.stringContaining(bad.mentions) }),
        );
      });
    }

    it('refuses a tampered, newer-major or other-kind artifact', () => {
      const art = fitted.toArtifact();
      const tampered = { ...art, featureNames: [...art.featureNames, 'injected'] };
      expect(() => subject.fromArtifact(tampered)).toThrow(
        expect.objectContaining({ code: 'E_MODEL_ARTIFACT_CHECKSUM' }),
      );
      expect(() => subject.fromArtifact(reseal(art, { schemaVersion: '2.0' }))).toThrow(
        expect.objectContaining({ code: 'E_MODEL_ARTIFACT_VERSION' }),
      );
      expect(() => subject.fromArtifact(reseal(art, { kind: `${subject.kind}-other` }))).toThrow(
        expect.objectContaining({ code: 'E_MODEL_ARTIFACT_KIND' }),
      );
      expect(() => subject.fromArtifact(reseal(art, { state: { nonsense: true } }))).toThrow(
        expect.objectContaining({ code: 'E_MODEL_ARTIFACT_INVALID' }),
      );
    });
  });
}
