/**
 * Histogram kernels. A histogram holds, per feature and bin, [gradient sum, hessian sum, row count] as
 * three doubles, feature f's bins starting at hist[3·offsets[f]]. Bin codes are read row-major
 * (rowBins[r·p + f]) and gradients interleaved (gh[2r] = g, gh[2r + 1] = h): each row of a node is then
 * one random access instead of one per feature, which measured about twice as fast as a pass per column.
 */

/** Fills the histogram of the rows idx[start, end) over the given features (others are left as they are). */
export function buildHistogram(
  hist: Float64Array,
  offsets: Int32Array,
  nBins: Int32Array,
  features: Int32Array,
  allFeatures: boolean,
  rowBins: Uint8Array,
  p: number,
  idx: Int32Array,
  start: number,
  end: number,
  gh: Float64Array,
): void {
  for (let fi = 0; fi < features.length; fi++) {
    const f = features[fi]!;
    hist.fill(0, 3 * offsets[f]!, 3 * (offsets[f]! + nBins[f]!));
  }
  if (allFeatures) accumulateAll(hist, offsets, rowBins, p, idx, start, end, gh);
  else accumulateSome(hist, offsets, features, rowBins, p, idx, start, end, gh);
}

// Four rows at a time: their updates are independent (unless they hit the same bin, where the order of the
// statements keeps the row order), which lets the CPU overlap them; measured ~25% faster than one at a time.
function accumulateAll(
  hist: Float64Array,
  offsets: Int32Array,
  rowBins: Uint8Array,
  p: number,
  idx: Int32Array,
  start: number,
  end: number,
  gh: Float64Array,
): void {
  let i = start;
  for (; i + 3 < end; i += 4) {
    const r0 = idx[i]!;
    const r1 = idx[i + 1]!;
    const r2 = idx[i + 2]!;
    const r3 = idx[i + 3]!;
    const g0 = gh[2 * r0]!;
    const h0 = gh[2 * r0 + 1]!;
    const g1 = gh[2 * r1]!;
    const h1 = gh[2 * r1 + 1]!;
    const g2 = gh[2 * r2]!;
    const h2 = gh[2 * r2 + 1]!;
    const g3 = gh[2 * r3]!;
    const h3 = gh[2 * r3 + 1]!;
    const b0 = r0 * p;
    const b1 = r1 * p;
    const b2 = r2 * p;
    const b3 = r3 * p;
    for (let f = 0; f < p; f++) {
      const o = offsets[f]!;
      const k0 = 3 * (o + rowBins[b0 + f]!);
      const k1 = 3 * (o + rowBins[b1 + f]!);
      const k2 = 3 * (o + rowBins[b2 + f]!);
      const k3 = 3 * (o + rowBins[b3 + f]!);
      hist[k0]! += g0;
      hist[k0 + 1]! += h0;
      hist[k0 + 2]! += 1;
      hist[k1]! += g1;
      hist[k1 + 1]! += h1;
      hist[k1 + 2]! += 1;
      hist[k2]! += g2;
      hist[k2 + 1]! += h2;
      hist[k2 + 2]! += 1;
      hist[k3]! += g3;
      hist[k3 + 1]! += h3;
      hist[k3 + 2]! += 1;
    }
  }
  for (; i < end; i++) {
    const r = idx[i]!;
    const g = gh[2 * r]!;
    const h = gh[2 * r + 1]!;
    const rb = r * p;
    for (let f = 0; f < p; f++) {
      const k = 3 * (offsets[f]! + rowBins[rb + f]!);
      hist[k]! += g;
      hist[k + 1]! += h;
      hist[k + 2]! += 1;
    }
  }
}

function accumulateSome(
  hist: Float64Array,
  offsets: Int32Array,
  features: Int32Array,
  rowBins: Uint8Array,
  p: number,
  idx: Int32Array,
  start: number,
  end: number,
  gh: Float64Array,
): void {
  const nf = features.length;
  let i = start;
  for (; i + 1 < end; i += 2) {
    const r0 = idx[i]!;
    const r1 = idx[i + 1]!;
    const g0 = gh[2 * r0]!;
    const h0 = gh[2 * r0 + 1]!;
    const g1 = gh[2 * r1]!;
    const h1 = gh[2 * r1 + 1]!;
    const b0 = r0 * p;
    const b1 = r1 * p;
    for (let fi = 0; fi < nf; fi++) {
      const f = features[fi]!;
      const o = offsets[f]!;
      const k0 = 3 * (o + rowBins[b0 + f]!);
      const k1 = 3 * (o + rowBins[b1 + f]!);
      hist[k0]! += g0;
      hist[k0 + 1]! += h0;
      hist[k0 + 2]! += 1;
      hist[k1]! += g1;
      hist[k1 + 1]! += h1;
      hist[k1 + 2]! += 1;
    }
  }
  for (; i < end; i++) {
    const r = idx[i]!;
    const g = gh[2 * r]!;
    const h = gh[2 * r + 1]!;
    const rb = r * p;
    for (let fi = 0; fi < nf; fi++) {
      const f = features[fi]!;
      const k = 3 * (offsets[f]! + rowBins[rb + f]!);
      hist[k]! += g;
      hist[k + 1]! += h;
      hist[k + 2]! += 1;
    }
  }
}

/** parent −= child over the given features (the subtraction trick: the sibling's histogram for free). */
export function subtractHistogram(
  parent: Float64Array,
  child: Float64Array,
  offsets: Int32Array,
  nBins: Int32Array,
  features: Int32Array,
): void {
  for (let fi = 0; fi < features.length; fi++) {
    const f = features[fi]!;
    const base = 3 * offsets[f]!;
    const end = base + 3 * nBins[f]!;
    for (let k = base; k < end; k++) parent[k]! -= child[k]!;
  }
}

/** Copies column-major bin codes into one row-major array (n × p). */
export function toRowMajor(bins: readonly Uint8Array[], n: number): Uint8Array {
  const p = bins.length;
  const out = new Uint8Array(n * p);
  for (let f = 0; f < p; f++) {
    const b = bins[f]!;
    for (let r = 0; r < n; r++) out[r * p + f] = b[r]!;
  }
  return out;
}
