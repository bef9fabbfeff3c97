import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { canonicalJson } from '../../core/artifact.js';
import type { Clock } from '../../core/clock.js';
import { RiskError } from '../../core/errors.js';

/** TF.js's model.json format (topology and weights manifest), under a name that leaves model.json to the envelope. */
export const MLP_TOPOLOGY_FILE = 'tfjs-model.json';
/** The weights, as TF.js writes them: float32 tensors concatenated in manifest order. */
export const MLP_WEIGHTS_FILE = 'weights.bin';

/** Options of `directoryHandler`. */
export interface DirectoryHandlerOptions {
  /** Dates TF.js's save result (which is not written anywhere); without one it reads 1970-01-01. */
  readonly clock?: Clock;
}

/**
 * A TF.js io handler that saves a layers model into a directory as `tfjs-model.json` plus `weights.bin`
 * and loads it back: TF.js's own `file://` handler needs tfjs-node, which cannot install offline. The files
 * are TF.js's standard layout, so other TF.js tools can read them.
 * @example await net.save(directoryHandler('models/mlp/1')); const a = await directoryHandler(dir).load!();
 */
export function directoryHandler(dir: string, options: DirectoryHandlerOptions = {}): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const topology = artifacts.modelTopology;
      if (topology === undefined || topology instanceof ArrayBuffer) {
        throw new RiskError(
          'E_IO',
          `${dir}: only a JSON model topology can be saved, received a binary one`,
          {
            file: dir,
          },
        );
      }
      const weights = joinWeights(artifacts.weightData);
      const specs = artifacts.weightSpecs ?? [];
      const modelJson: tf.io.ModelJSON = {
        modelTopology: topology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? '',
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [MLP_WEIGHTS_FILE], weights: specs }],
      };
      const json = `${canonicalJson(modelJson, 1)}\n`;
      await io(dir, async () => {
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, MLP_WEIGHTS_FILE), weights);
        await writeFile(join(dir, MLP_TOPOLOGY_FILE), json);
      });
      return {
        modelArtifactsInfo: {
          dateSaved: options.clock?.now() ?? new Date(0),
          modelTopologyType: 'JSON',
          modelTopologyBytes: Buffer.byteLength(json),
          weightSpecsBytes: Buffer.byteLength(JSON.stringify(specs)),
          weightDataBytes: weights.byteLength,
        },
      };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const topologyPath = join(dir, MLP_TOPOLOGY_FILE);
      const text = await io(topologyPath, () => readFile(topologyPath, 'utf8'));
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(text) as tf.io.ModelJSON;
      } catch (err) {
        throw new RiskError('E_JSON_PARSE', `${topologyPath} is not valid JSON: ${(err as Error).message}`, {
          file: topologyPath,
        });
      }
      const group = json.weightsManifest?.[0];
      if (
        json.modelTopology === undefined ||
        json.weightsManifest?.length !== 1 ||
        group?.paths.length !== 1
      ) {
        throw new RiskError(
          'E_MODEL_ARTIFACT_INVALID',
          `${topologyPath} must hold modelTopology and one weights group with one file, as written by directoryHandler`,
          { file: topologyPath },
        );
      }
      // Only a plain file name: a manifest must not point the loader outside the model directory.
      const name = group.paths[0] as string;
      if (name !== MLP_WEIGHTS_FILE) {
        throw new RiskError(
          'E_MODEL_ARTIFACT_INVALID',
          `${topologyPath}: the weights file must be ${MLP_WEIGHTS_FILE}, received ${JSON.stringify(name)}`,
          { file: topologyPath, expected: MLP_WEIGHTS_FILE, received: name },
        );
      }
      const weightsPath = join(dir, name);
      const bytes = await io(weightsPath, () => readFile(weightsPath));
      return {
        modelTopology: json.modelTopology,
        format: json.format ?? 'layers-model',
        generatedBy: json.generatedBy ?? '',
        convertedBy: json.convertedBy ?? null,
        weightSpecs: group.weights,
        weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      };
    },
  };
}

/** TF.js may hand the weights over as one buffer or as several shards. */
function joinWeights(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const parts = Array.isArray(data) ? data : [data];
  let length = 0;
  for (const p of parts) length += p.byteLength;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), at);
    at += p.byteLength;
  }
  return out;
}

async function io<T>(path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof RiskError) throw err;
    throw new RiskError(
      'E_IO',
      `cannot read or write ${path}: ${(err as Error).message}`,
      { file: path },
      {
        cause: err,
      },
    );
  }
}
