import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Imports point down the data flow (design.md): a module may import only from its own directory or from a
 * directory of lower rank. Directories of equal rank (decisions and evaluation) stay independent.
 */
const RANK: Record<string, number> = {
  core: 0,
  ingest: 1,
  features: 2,
  samples: 2,
  binning: 3,
  models: 4,
  evaluation: 5,
  decisions: 5,
  report: 6,
  matching: 6,
  store: 7,
  api: 8,
  cli: 9,
};

const SRC = resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import of every source file, resolved to a path under src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)].map((m) =>
      relative(SRC, resolve(dirname(file), `${m[1]}.ts`)),
    );
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

const top = (path: string): string => path.split('/')[0] as string;

describe('module layers', () => {
  const graph = importGraph();

  it('every top-level directory has a rank', () => {
    const dirs = new Set([...graph.keys()].map(top).filter((d) => !d.endsWith('.ts')));
    expect([...dirs].filter((d) => RANK[d] === undefined)).toEqual([]);
  });

  it('imports point down: no module imports from a directory of equal or higher rank', () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      for (const target of targets) {
        const from = top(file);
        const to = top(target);
        if (from !== to && (RANK[to] as number) >= (RANK[from] as number)) upward.push(`${file} → ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('there is no import circle between source files', () => {
    const state = new Map<string, 'open' | 'done'>();
    const circles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        circles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(circles).toEqual([]);
  });
});
