import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadedRelease, Release } from '../../src/decisions/release.js';
import { loadActiveRelease } from '../../src/decisions/release.js';
import { readApplicationsDir } from '../../src/ingest/readers.js';
import type { Application } from '../../src/ingest/schemas.js';
import { parseApplication } from '../../src/ingest/validate.js';
import { fullApplication } from '../fixtures/applications.js';

let active: Promise<LoadedRelease> | undefined;
/** The committed active release, loaded once per test file. */
export function activeRelease(): Promise<LoadedRelease> {
  active ??= loadActiveRelease();
  return active;
}

/** The first `n` valid applications of the committed sample. */
export async function sampleApplications(n: number): Promise<Application[]> {
  const out: Application[] = [];
  const rejects = join(mkdtempSync(join(tmpdir(), 'rongdan-decisions-')), 'rejects.csv');
  for await (const a of readApplicationsDir('data-samples', { rejects })) {
    out.push(a);
    if (out.length >= n) break;
  }
  return out;
}

/** The hand-built application of the ingest fixtures, validated, with overrides of whole sources. */
export function handApplication(over: Partial<Application> = {}): Application {
  const base = parseApplication(fullApplication('B900001'));
  return {
    ...base,
    request: { ...(base.request as NonNullable<Application['request']>), programme: 'general' },
    ...over,
  };
}

/** The same loaded release with another policy (models shared). */
export function withPolicy(
  r: LoadedRelease,
  patch: (p: Release['policy']) => Release['policy'],
): LoadedRelease {
  return { ...r, release: { ...r.release, policy: patch(structuredClone(r.release.policy)) } };
}
