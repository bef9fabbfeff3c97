// What the command registrations need when the program is built: option parsers, defaults and names. Kept
// free of heavy imports (models, report, store) so that `rongdan --help` and every command start cheaply; a
// command's implementation is imported only when it runs (see commands/).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RiskError } from '../core/errors.js';
import type { OutboxStatus } from '../store/store.js';

/** The repository root: the CLI's defaults (sample, catalog, models) resolve from it. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The default agreements file (written by `samples generate`). */
export const DEFAULT_AGREEMENTS = 'data-samples/agreements.json';

/** Where the shipped behavioural model lives (its envelope is behaviour-model.json, see models/README.md). */
export const BEHAVIOUR_MODEL_DIR = 'models/behaviour-gbdt/1.0.0';

/** The families `rongdan compare` trains when --models is not given. */
export const DEFAULT_COMPARE_MODELS: readonly string[] = ['scorecard', 'gbdt', 'mlp'];

/**
 * The names of the model families, for help texts: the registry (models/registry.ts) loads TF.js, so help
 * does not read them from it; a test checks that both agree.
 */
export const MODEL_FAMILY_NAMES: readonly string[] = ['scorecard', 'gbdt', 'mlp', 'logistic'];

/** The states of a webhook outbox message, for `webhooks outbox --status`. */
export const OUTBOX_STATUSES: readonly OutboxStatus[] = ['pending', 'delivering', 'delivered', 'dead'];

/** The option every store command takes. */
export const DB_OPTION = [
  '--db <path>',
  'SQLite file (default: DATABASE_URL, RONGDAN_DB or var/rongdan.sqlite)',
] as const;

/** Commander parser of a comma-separated, repeatable option. */
export function list(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  ];
}

/** Commander parser of a repeatable option, one value each time. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Commander parser of a whole number. */
export function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) {
    throw new RiskError('E_OPTIONS_INVALID', `expected an integer, received ${JSON.stringify(value)}`, {
      expected: 'an integer',
      received: value,
    });
  }
  return n;
}

/** Commander parser of `--validation`: a share in [0, 1). */
export function share(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n < 1)) {
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `--validation must be a share in [0, 1), received ${JSON.stringify(value)}`,
      {
        path: ['validation'],
        expected: 'a number in [0, 1)',
        received: value,
      },
    );
  }
  return n;
}
