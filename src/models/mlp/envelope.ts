import type * as tfl from '@tensorflow/tfjs-layers';
import { type Artifact, canonicalJson, sha256, verifyArtifact } from '../../core/artifact.js';
import { RiskError } from '../../core/errors.js';
import { type MlpArtifactState, parseMlpState } from './artifact-schema.js';
import { topologyOf } from './network.js';
import { type MlpParams, parseMlpOptions } from './options.js';

/** The artifact kind of the MLP, and its `--model` name. */
export const MLP_KIND = 'mlp';

/** Verifies an MLP envelope and parses its params and state. @throws E_MODEL_ARTIFACT_* */
export function readEnvelope(artifact: unknown): { a: Artifact; params: MlpParams; state: MlpArtifactState } {
  const a = verifyArtifact<unknown, unknown>(artifact, MLP_KIND);
  let params: MlpParams;
  try {
    params = parseMlpOptions(a.params);
  } catch (err) {
    throw new RiskError(
      'E_MODEL_ARTIFACT_INVALID',
      `mlp artifact params: ${(err as Error).message}`,
      { path: ['params'] },
      {
        cause: err,
      },
    );
  }
  const state = parseMlpState(a.state);
  if (state.preprocessing.inputs.map((i) => i.name).join('\u0000') !== a.featureNames.join('\u0000')) {
    throw new RiskError(
      'E_MODEL_ARTIFACT_INVALID',
      'mlp artifact featureNames differ from its preprocessing inputs',
      {
        path: ['featureNames'],
      },
    );
  }
  return { a, params, state };
}

/** The weights bytes: inline in the envelope, or the given bytes of its weights file. */
export function weightBytes(state: MlpArtifactState, weights: Uint8Array | undefined): Uint8Array {
  if (state.weights.base64 !== undefined) return new Uint8Array(Buffer.from(state.weights.base64, 'base64'));
  if (weights !== undefined) return weights;
  throw new RiskError(
    'E_MODEL_ARTIFACT_INVALID',
    `mlp artifact keeps its weights in ${state.weights.file ?? 'a file'} beside it: pass its bytes to fromArtifact or use Mlp.fromArtifactDir(dir)`,
    {
      path: ['state', 'weights'],
      expected: 'base64 weights or the weights file bytes',
      received: state.weights.file,
    },
  );
}

/** @throws E_MODEL_ARTIFACT_CHECKSUM when the weights bytes are not the ones the envelope records */
export function checkWeightsDigest(state: MlpArtifactState, data: Uint8Array): void {
  const digest = sha256(data);
  if (digest !== state.weights.sha256) {
    throw new RiskError(
      'E_MODEL_ARTIFACT_CHECKSUM',
      `mlp weights sha256 must be ${state.weights.sha256} as the envelope records, received ${digest}`,
      { path: ['state', 'weights', 'sha256'], expected: state.weights.sha256, received: digest },
    );
  }
}

/** @throws E_MODEL_ARTIFACT_CHECKSUM when the network is not the topology the envelope records */
export function checkTopology(state: MlpArtifactState, network: tfl.LayersModel): void {
  const digest = sha256(canonicalJson(topologyOf(network)));
  if (digest !== state.topologySha256) throw topologyMismatch(state.topologySha256, digest);
}

/** The error for a topology that differs from the envelope's. */
export function topologyMismatch(expected: string, received: string): RiskError {
  return new RiskError(
    'E_MODEL_ARTIFACT_CHECKSUM',
    `mlp topology sha256 must be ${expected} as the envelope records, received ${received}`,
    { path: ['state', 'topologySha256'], expected, received },
  );
}
