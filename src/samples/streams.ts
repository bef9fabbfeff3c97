import { Rng } from '../core/rng.js';

/**
 * Independent random streams: each borrower draws from its own generator, seeded from (seed, borrower index,
 * stream). A borrower's data therefore never depends on how many borrowers came before it, and turning dirty
 * values or monitoring on or off never changes the clean data.
 */
export const STREAMS = { borrower: 1, dirt: 2, monitoring: 3 } as const;

function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * A 32-bit seed for one (seed, index, stream) triple (MurmurHash3's finaliser over the three words).
 * @example streamSeed(42, 0, STREAMS.borrower) !== streamSeed(42, 1, STREAMS.borrower)
 */
export function streamSeed(seed: number, index: number, stream: number): number {
  let h = fmix32((seed >>> 0) ^ 0x27d4eb2f);
  h = fmix32(h ^ Math.imul(index >>> 0, 0x9e3779b1));
  h = fmix32(h ^ Math.imul((stream >>> 0) + 1, 0x85ebca77));
  return h;
}

/** The generator of one stream of one borrower. */
export function streamRng(seed: number, index: number, stream: number): Rng {
  return new Rng(streamSeed(seed, index, stream));
}
