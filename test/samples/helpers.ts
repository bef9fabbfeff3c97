import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsvText } from '../../src/core/csv.js';

/** A fresh temporary directory; `cleanup` removes it. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `rongdan-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** sha256 of every file under a directory, keyed by relative path. */
export async function hashTree(dir: string, sub = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(join(dir, sub), { withFileTypes: true })) {
    const rel = sub === '' ? entry.name : `${sub}/${entry.name}`;
    if (entry.isDirectory()) Object.assign(out, await hashTree(dir, rel));
    else
      out[rel] = createHash('sha256')
        .update(await readFile(join(dir, rel)))
        .digest('hex');
  }
  return out;
}

/** Reads a whole CSV file. */
export async function readCsv(path: string): Promise<{ header: string[]; records: string[][] }> {
  return parseCsvText(await readFile(path, 'utf8'));
}

/** Area under the ROC curve of score x for labels y (Mann-Whitney, ties averaged). */
export function auc(x: readonly number[], y: readonly number[]): number {
  const idx = x.map((_, i) => i).sort((a, b) => (x[a] as number) - (x[b] as number));
  let sumPos = 0;
  let nPos = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && x[idx[j + 1] as number] === x[idx[i] as number]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (y[idx[k] as number] === 1) {
        sumPos += rank;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = y.length - nPos;
  return (sumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
