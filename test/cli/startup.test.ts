import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MODEL_FAMILY_NAMES } from '../../src/cli/options.js';
import { MODEL_FAMILIES, modelFamily } from '../../src/models/registry.js';
import { cli } from '../fixtures/cli.js';
import { codeOf } from '../fixtures/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'rongdan-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs an ES module script in a fresh process through tsx: every module it imported, and its stdout. */
function runLogged(script: string, name: string): { modules: string[]; stdout: string } {
  const log = join(dir, `${name}.log`);
  const stdout = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      join(import.meta.dirname, '../fixtures/module-log/register.mjs'),
      '--input-type=module',
      '-e',
      script,
    ],
    { encoding: 'utf8', env: { ...process.env, MODULE_LOG: log } },
  );
  return { modules: readFileSync(log, 'utf8').split('\n').filter(Boolean), stdout };
}

const src = (path: string): string => JSON.stringify(join(import.meta.dirname, '../../src', path));

/** Builds the program in a fresh process: every module it imported, and its commands with their subcommands. */
function buildInChild(): { modules: string[]; commands: Record<string, string[]> } {
  const r = runLogged(
    `const { buildProgram } = await import(${src('cli/program.ts')});
    const program = buildProgram();
    const commands = Object.fromEntries(program.commands.map((c) => [c.name(), c.commands.map((s) => s.name())]));
    process.stdout.write(JSON.stringify(commands));`,
    'program',
  );
  return { modules: r.modules, commands: JSON.parse(r.stdout) };
}

const built = buildInChild();

describe('building the command line', () => {
  it('loads no command implementation and none of the heavy libraries', () => {
    const heavy = [
      '/node_modules/@tensorflow/',
      '/node_modules/vega',
      '/node_modules/exceljs/',
      '/node_modules/pg/',
      '/node_modules/kysely/',
      '/node_modules/better-sqlite3/',
      '/node_modules/highs/',
      '/node_modules/express/',
      '/node_modules/ml-matrix/',
      '/src/models/registry.ts',
      '/src/report/',
      '/src/store/open.ts',
      '/src/api/server.ts',
      '/src/cli/train.ts',
    ];
    expect(built.modules.some((m) => m.endsWith('/src/cli/commands/train.ts'))).toBe(true);
    expect(built.modules.filter((m) => heavy.some((h) => m.includes(h)))).toEqual([]);
  });

  it('registers every command and subcommand', () => {
    expect(built.commands).toEqual({
      samples: ['generate'],
      features: ['build', 'list'],
      ingest: ['check', 'map', 'example'],
      screen: [],
      train: [],
      bins: ['export'],
      predict: [],
      evaluate: [],
      report: [],
      export: [],
      compare: [],
      demo: [],
      agreements: ['list', 'show', 'loss'],
      match: [],
      monitor: [],
      'monitor-features': [],
      keys: ['create', 'list', 'revoke'],
      webhooks: ['set', 'outbox', 'requeue', 'deliver', 'receive'],
      release: ['list', 'show', 'validate', 'diff'],
      assess: [],
      replay: [],
      simulate: [],
      portfolio: [],
      vintage: [],
      serve: [],
    });
  });

  it('loads TF.js with the model registry only once the MLP family is prepared', () => {
    const tfjs = (modules: string[]) => modules.filter((m) => m.includes('/node_modules/@tensorflow/'));
    const registry = `const { modelFamily } = await import(${src('models/registry.ts')});
      modelFamily('scorecard').create({}, { seed: 1, special: {} });`;
    expect(tfjs(runLogged(registry, 'registry').modules)).toEqual([]);
    const prepared = runLogged(`${registry} await modelFamily('mlp').prepare();`, 'mlp').modules;
    expect(tfjs(prepared).length).toBeGreaterThan(0);
  }, 60_000);

  it('asks for prepare() before an MLP is created or loaded (E_MLP_BACKEND)', () => {
    expect(codeOf(() => modelFamily('mlp').create({}, { seed: 1, special: {} }))).toBe('E_MLP_BACKEND');
  });

  it('names the model families of the registry in its help', () => {
    expect(MODEL_FAMILY_NAMES).toEqual([...MODEL_FAMILIES.keys()]);
  });
});

describe('commands load their implementation when they run', () => {
  it('train --help-params lists the keys without --data, --target or --out', async () => {
    const r = await cli(['train', '--help-params', 'mlp']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^--param keys of mlp \(/);
    expect(r.stdout).toContain('importanceRepeats');
  }, 60_000);

  it('train --help-params of an unknown family is E_OPTIONS_INVALID, exit 2', async () => {
    const r = await cli(['train', '--help-params', 'forest']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^E_OPTIONS_INVALID: --model must be one of scorecard, gbdt, mlp, logistic/);
  }, 60_000);

  it('train without --help-params still requires --data', async () => {
    const r = await cli(['train', '--target', 'y', '--out', join(dir, 'm')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("required option '--data <file>' not specified");
  }, 60_000);
});
