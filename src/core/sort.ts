/** Below this length the built-in sort is as fast: the radix sort's 256 KiB of counts dominate. */
const RADIX_MIN = 2048;
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/**
 * Sorts float64 values ascending in place and returns them, in the order `Float64Array.prototype.sort` gives
 * (−0 before +0, infinities at the ends), by a least-significant-digit radix sort on the values' bits: four
 * passes of 16 bits, linear in the length, about 4× the built-in sort on 100k values (GBDT binning sorts
 * every feature). The values must hold no NaN.
 * @example sortFloat64(Float64Array.of(3, -1, 2)) // Float64Array [-1, 2, 3]
 */
export function sortFloat64(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < RADIX_MIN || !LITTLE_ENDIAN) return values.sort();
  const bits = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  // Keys that order as unsigned integers the way the values order as numbers: a negative value's bits are
  // all flipped (larger magnitude, smaller key), a positive value's sign bit is set.
  for (let i = 0; i < n; i++) {
    const l = bits[2 * i] as number;
    const h = bits[2 * i + 1] as number;
    if (h & 0x80000000) {
      lo[i] = ~l >>> 0;
      hi[i] = ~h >>> 0;
    } else {
      lo[i] = l;
      hi[i] = (h | 0x80000000) >>> 0;
    }
  }
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  const count = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const word = pass < 2 ? lo : hi;
    const shift = (pass & 1) * 16;
    count.fill(0);
    for (let i = 0; i < n; i++) count[((word[i] as number) >>> shift) & 0xffff]! += 1;
    // A digit every key shares (the top bits of values of one sign and scale) needs no pass.
    if (count[((word[0] as number) >>> shift) & 0xffff] === n) continue;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = count[d] as number;
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const j = count[((word[i] as number) >>> shift) & 0xffff]!++;
      lo2[j] = lo[i] as number;
      hi2[j] = hi[i] as number;
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
  }
  for (let i = 0; i < n; i++) {
    const h = hi[i] as number;
    if (h & 0x80000000) {
      bits[2 * i] = lo[i] as number;
      bits[2 * i + 1] = h & 0x7fffffff;
    } else {
      bits[2 * i] = ~(lo[i] as number) >>> 0;
      bits[2 * i + 1] = ~h >>> 0;
    }
  }
  return values;
}
