import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { RiskError } from './errors.js';
import type { Frame } from './frame.js';

/** The major.minor schema version this build writes; a different major refuses to load. */
export const ARTIFACT_SCHEMA_VERSION = '1.0';
export const GENERATED_BY = 'rongdan 0.1.0';

/** How the training data looked, so that an artifact can say what it was fitted on. */
export interface DataFingerprint {
  readonly rows: number;
  readonly columns: readonly string[];
  readonly sha256: string;
}

/** The target a model was trained on: its column and, for a non-0/1 coding, the value meaning bad. */
export interface TargetInfo {
  readonly column: string;
  readonly positive?: string;
}

/** How a text column is read as numbers: its parse, and for `ordered` the levels lowest first. */
export interface ColumnParse {
  readonly parse: 'number' | 'months' | 'years' | 'ordered';
  readonly levels?: readonly string[];
}

/**
 * The JSON envelope every model is saved in (TF.js ModelArtifacts-like): kind, schema version, the
 * parameters, feature names and order, category maps, data fingerprint, metrics, the learned state, and a
 * sha256 over all of it. No timestamps: the same data and seed give a byte-identical file.
 */
export interface Artifact<P = unknown, S = unknown> {
  readonly format: 'rongdan-artifact';
  readonly kind: string;
  readonly schemaVersion: string;
  readonly generatedBy: string;
  readonly params: P;
  readonly featureNames: readonly string[];
  readonly categories: Readonly<Record<string, readonly string[]>>;
  readonly dataFingerprint: DataFingerprint | null;
  /** The training target, so that evaluation finds it without guessing (absent in older artifacts). */
  readonly target?: TargetInfo;
  /**
   * A probability calibrator (Platt or isotonic, as JSON) fitted on held-out rows and applied to the
   * model's raw pd; absent when the model is used uncalibrated.
   */
  readonly calibration?: unknown;
  /**
   * Text columns read as numbers at training time ("83.70%", "36 months", ordered levels), applied the same
   * way at predict time (src/models/column-types.ts); absent when none was.
   */
  readonly columnTypes?: Readonly<Record<string, ColumnParse>>;
  readonly metrics: Readonly<Record<string, number>>;
  readonly state: S;
  readonly sha256: string;
}

export type ArtifactBody<P, S> = Omit<Artifact<P, S>, 'format' | 'schemaVersion' | 'generatedBy' | 'sha256'>;

/** JSON with object keys sorted at every depth, so that equal content is equal text. */
export function canonicalJson(value: unknown, indent = 0): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Wraps a model's parameters and state in the envelope and seals it with its checksum. */
export function createArtifact<P, S>(body: ArtifactBody<P, S>): Artifact<P, S> {
  const unsealed = {
    format: 'rongdan-artifact' as const,
    schemaVersion: ARTIFACT_SCHEMA_VERSION,
    generatedBy: GENERATED_BY,
    ...body,
  };
  return { ...unsealed, sha256: sha256(canonicalJson(unsealed)) };
}

/**
 * Checks an artifact read from disk: envelope shape, kind, major version and checksum.
 * @throws E_MODEL_ARTIFACT_INVALID, E_MODEL_ARTIFACT_KIND, E_MODEL_ARTIFACT_VERSION, E_MODEL_ARTIFACT_CHECKSUM
 */
export function verifyArtifact<P, S>(value: unknown, expectedKind?: string): Artifact<P, S> {
  if (
    value === null ||
    typeof value !== 'object' ||
    (value as { format?: unknown }).format !== 'rongdan-artifact'
  ) {
    throw new RiskError(
      'E_MODEL_ARTIFACT_INVALID',
      'not a rongdan artifact: expected format "rongdan-artifact"',
    );
  }
  const a = value as Artifact<P, S>;
  if (expectedKind !== undefined && a.kind !== expectedKind) {
    throw new RiskError(
      'E_MODEL_ARTIFACT_KIND',
      `expected an artifact of kind ${expectedKind}, received ${a.kind}`,
      {
        expected: expectedKind,
        received: a.kind,
      },
    );
  }
  const [major] = String(a.schemaVersion).split('.');
  const [ourMajor] = ARTIFACT_SCHEMA_VERSION.split('.');
  if (major !== ourMajor) {
    throw new RiskError(
      'E_MODEL_ARTIFACT_VERSION',
      `artifact schemaVersion ${a.schemaVersion} is not supported: this build reads ${ourMajor}.x`,
      { expected: `${ourMajor}.x`, received: a.schemaVersion },
    );
  }
  const { sha256: stored, ...rest } = a;
  const actual = sha256(canonicalJson(rest));
  if (stored !== actual) {
    throw new RiskError(
      'E_MODEL_ARTIFACT_CHECKSUM',
      `artifact checksum mismatch: stored ${stored}, content ${actual}`,
      {
        expected: actual,
        received: stored,
      },
    );
  }
  return a;
}

/** Writes an artifact as pretty, canonical JSON. */
export function saveArtifact(path: string, artifact: Artifact): void {
  writeFileSync(path, `${canonicalJson(artifact, 1)}\n`);
}

/** Reads and verifies an artifact file. @throws E_IO, E_JSON_PARSE and the verifyArtifact codes */
export function loadArtifact<P = unknown, S = unknown>(path: string, expectedKind?: string): Artifact<P, S> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new RiskError('E_IO', `cannot read artifact ${path}: ${(err as Error).message}`, { file: path });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RiskError('E_JSON_PARSE', `artifact ${path} is not valid JSON: ${(err as Error).message}`, {
      file: path,
    });
  }
  return verifyArtifact<P, S>(value, expectedKind);
}

/**
 * A fingerprint of a frame's content (names, kinds, values, levels) and of the target; with `rows`, of
 * those rows only, equal to the fingerprint of `frame.take(rows)` and the labels at `rows`.
 */
export function fingerprintFrame(frame: Frame, y?: ArrayLike<number>, rows?: Int32Array): DataFingerprint {
  const h = createHash('sha256');
  // With `rows`, the fingerprint of frame.take(rows) (and its labels), each column picked into one reused
  // buffer: a copy per column was 64 MB of garbage on a 40k × 200 frame.
  const n = rows?.length ?? frame.nRows;
  const f64 = new Float64Array(rows === undefined ? 0 : n);
  const i32 = new Int32Array(rows === undefined ? 0 : n);
  const pick = <T extends Float64Array | Int32Array>(v: T, out: T): T => {
    if (rows === undefined) return v;
    for (let i = 0; i < n; i++) out[i] = v[rows[i] as number] as number;
    return out;
  };
  const bytes = (v: Float64Array | Int32Array): Uint8Array =>
    new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  for (const c of frame.columns) {
    h.update(`${c.kind}:${c.name}\n`);
    if (c.kind === 'numeric') h.update(bytes(pick(c.values, f64)));
    else {
      h.update(bytes(pick(c.codes, i32)));
      h.update(c.levels.join('\u0000'));
    }
  }
  if (y !== undefined) h.update(bytes(pick(Float64Array.from(y as ArrayLike<number>), f64)));
  return { rows: n, columns: frame.names, sha256: h.digest('hex') };
}
