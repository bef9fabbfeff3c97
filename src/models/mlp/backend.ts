import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { RiskError } from '../../core/errors.js';

/** The TF.js backends the MLP runs on: wasm by default, the pure-JS cpu backend only when allowed. */
export type MlpBackend = 'wasm' | 'cpu';

/** Options of `initMlpBackend`. */
export interface MlpBackendOptions {
  /** Fall back to the (about 3× slower) pure-JS cpu backend when wasm cannot start; default false. */
  readonly allowCpu?: boolean;
}

let ready: MlpBackend | null = null;
let pending: Promise<void> | null = null;

/**
 * Starts the TF.js wasm backend (once per process) and checks that it is the active one: TF.js silently
 * falls back to its slow pure-JS backend when wasm fails, which design.md calls out as a trap.
 * @param options.allowCpu accept the cpu backend when wasm will not start (default false)
 * @returns the active backend
 * @throws E_MLP_BACKEND when wasm is not active and the cpu backend was not allowed
 * @example await initMlpBackend(); // 'wasm'
 */
export async function initMlpBackend(options: MlpBackendOptions = {}): Promise<MlpBackend> {
  let wasmError: unknown;
  try {
    pending ??= startWasm();
    await pending;
    // Something may have switched TF.js to another backend since the first start.
    if (tf.getBackend() !== 'wasm') await tf.setBackend('wasm');
    if (tf.getBackend() === 'wasm') {
      ready = 'wasm';
      return ready;
    }
  } catch (err) {
    wasmError = err;
    pending = null;
  }
  if (options.allowCpu !== true) throw wasmInactive(tf.getBackend(), wasmError);
  // A dynamic import, so that the cpu kernels are only loaded where a user asked for them.
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu')) || tf.getBackend() !== 'cpu') throw wasmInactive(tf.getBackend());
  ready = 'cpu';
  return ready;
}

async function startWasm(): Promise<void> {
  // TF.js prints advice to the console unless in production mode; library code must stay silent.
  tf.enableProdMode();
  // The .wasm binaries ship in the package's dist folder, beside its Node entry point.
  const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  setWasmPaths(`${dirname(entry)}/`);
  const ok = await tf.setBackend('wasm');
  await tf.ready();
  if (!ok || tf.getBackend() !== 'wasm') throw wasmInactive(tf.getBackend());
}

/**
 * The active backend when `initMlpBackend` has run and nothing switched TF.js away since; the synchronous
 * entry points (fit, predictProba, fromArtifact) call this before touching a tensor.
 * @throws E_MLP_BACKEND when no backend was started, or cpu is active and was not allowed
 */
export function requireMlpBackend(allowCpu: boolean): MlpBackend {
  if (ready === null) {
    throw new RiskError(
      'E_MLP_BACKEND',
      'the MLP needs the TF.js wasm backend: await initMlpBackend() (or use fitAsync / fromArtifactDir) first',
      { expected: 'wasm', received: 'none started' },
    );
  }
  const active = tf.getBackend();
  if (active !== ready) throw wasmInactive(active);
  if (ready === 'cpu' && !allowCpu) throw wasmInactive('cpu');
  return ready;
}

function wasmInactive(active: string | undefined, cause?: unknown): RiskError {
  return new RiskError(
    'E_MLP_BACKEND',
    `the MLP needs the TF.js backend wasm, but the active backend is ${active ?? 'none'}; ` +
      'set allowCpuBackend: true to accept the slower cpu backend',
    { expected: 'wasm', received: active ?? null },
    cause === undefined ? undefined : { cause },
  );
}
