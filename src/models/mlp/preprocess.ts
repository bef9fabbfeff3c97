import { RiskError } from '../../core/errors.js';
import type { Column, Frame } from '../../core/frame.js';

/** How one numeric input becomes network inputs: (x − mean) / sd, plus a missing flag where needed. */
export interface NumericInput {
  readonly kind: 'numeric';
  readonly name: string;
  readonly mean: number;
  readonly sd: number;
  /** True when the column had missing values in training: an extra 0/1 input marks them. */
  readonly missingIndicator: boolean;
}

/** How one categorical input becomes network inputs: one 0/1 input per training level. */
export interface CategoricalInput {
  readonly kind: 'categorical';
  readonly name: string;
  readonly levels: readonly string[];
}

/** The preprocessing learned in training, kept inside the model's artifact (plain JSON). */
export interface PreprocessorState {
  readonly inputs: readonly (NumericInput | CategoricalInput)[];
  /** Network inputs in all. */
  readonly width: number;
}

/**
 * Learns standardisation and one-hot encoding from training rows. Numeric: mean and sd of the finite
 * values (an all-missing or constant column gets sd 1, so it scales to 0 rather than NaN). Categorical: the
 * levels that occur in the rows.
 * @throws E_DATA_INVALID when the frame has no columns
 * @example const p = fitPreprocessor(train); const x = transformRows(p, test, 0, test.nRows);
 */
export function fitPreprocessor(frame: Frame, rows?: Int32Array): PreprocessorState {
  if (frame.columns.length === 0) {
    throw new RiskError('E_DATA_INVALID', 'x must have at least one column, received none', {
      expected: 'at least one column',
      received: 0,
    });
  }
  const inputs = frame.columns.map((c) =>
    c.kind === 'numeric' ? numericInput(c.name, c.values, rows) : catInput(c, rows),
  );
  let width = 0;
  for (const input of inputs) width += inputWidth(input);
  return { inputs, width };
}

function numericInput(name: string, all: Float64Array, rows: Int32Array | undefined): NumericInput {
  const count = rows === undefined ? all.length : rows.length;
  const at = (i: number): number => all[rows === undefined ? i : (rows[i] as number)] as number;
  let n = 0;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const v = at(i);
    if (Number.isFinite(v)) {
      n++;
      sum += v;
    }
  }
  const mean = n === 0 ? 0 : sum / n;
  let ss = 0;
  for (let i = 0; i < count; i++) {
    const v = at(i);
    if (Number.isFinite(v)) ss += (v - mean) * (v - mean);
  }
  const sd = n < 2 ? 1 : Math.sqrt(ss / n);
  return {
    kind: 'numeric',
    name,
    mean,
    sd: sd > 0 && Number.isFinite(sd) ? sd : 1,
    missingIndicator: n < count,
  };
}

function catInput(
  c: Extract<Column, { kind: 'categorical' }>,
  rows: Int32Array | undefined,
): CategoricalInput {
  const used = new Uint8Array(c.levels.length);
  const count = rows === undefined ? c.codes.length : rows.length;
  for (let i = 0; i < count; i++) {
    const code = c.codes[rows === undefined ? i : (rows[i] as number)] as number;
    if (code >= 0) used[code] = 1;
  }
  return { kind: 'categorical', name: c.name, levels: c.levels.filter((_, i) => used[i] === 1) };
}

/** Network inputs of one frame column. */
export function inputWidth(input: NumericInput | CategoricalInput): number {
  return input.kind === 'numeric' ? (input.missingIndicator ? 2 : 1) : input.levels.length;
}

/** The name of every network input (`age`, `age:missing`, `region=east`), in order. */
export function expandedNames(state: PreprocessorState): string[] {
  const out: string[] = [];
  for (const input of state.inputs) {
    if (input.kind === 'numeric') {
      out.push(input.name);
      if (input.missingIndicator) out.push(`${input.name}:missing`);
    } else for (const level of input.levels) out.push(`${input.name}=${level}`);
  }
  return out;
}

/** The network-input columns [start, end) that each frame column feeds, in input order. */
export function inputGroups(state: PreprocessorState): { readonly start: number; readonly end: number }[] {
  let at = 0;
  return state.inputs.map((input) => {
    const start = at;
    at += inputWidth(input);
    return { start, end: at };
  });
}

/**
 * Turns rows [start, end) of a frame (or, with `index`, the frame rows index[start..end)) into the
 * row-major float32 matrix the network reads; the index spares a copy of the frame for a subset of rows.
 * Missing numeric values (NaN, and ±Infinity) become 0 (the training mean after scaling) with their flag
 * set; a level unseen in training, or a missing one, becomes all zeros.
 * @throws E_FRAME_SHAPE when a training column is absent; E_DATA_INVALID when a column changed kind
 */
export function transformRows(
  state: PreprocessorState,
  frame: Frame,
  start: number,
  end: number,
  index?: Int32Array,
): Float32Array {
  const out = new Float32Array((end - start) * state.width);
  writeInputs(state, frame, (index ?? identity(end)).subarray(start, end), out, state.width, 1);
  return out;
}

/**
 * Writes the network inputs [from, to) of the frame rows `frameRows` into `out`: input from + j of the
 * r-th listed row at r·rowStride + j·colStride, so (to − from, 1) is row-major and (1, frameRows.length)
 * column-major (the transposed batch training needs). The range must hold whole frame columns (a one-hot
 * group or a value with its flag). Only non-zero inputs are written: `out` must hold zeros there before.
 * @throws E_FRAME_SHAPE when a training column is absent; E_DATA_INVALID when a column changed kind
 */
export function writeInputs(
  state: PreprocessorState,
  frame: Frame,
  frameRows: Int32Array,
  out: Float32Array,
  rowStride: number,
  colStride: number,
  from = 0,
  to = state.width,
): void {
  const rows = frameRows.length;
  let offset = -from;
  for (const input of state.inputs) {
    if (offset < 0 || offset >= to - from) {
      offset += inputWidth(input);
      continue;
    }
    const column = frame.column(input.name);
    if (column.kind !== input.kind) {
      throw new RiskError(
        'E_DATA_INVALID',
        `column ${input.name} must be ${input.kind} as in training, received ${column.kind}`,
        { column: input.name, expected: input.kind, received: column.kind },
      );
    }
    const base = offset * colStride;
    if (input.kind === 'numeric' && column.kind === 'numeric') {
      const v = column.values;
      const inv = 1 / input.sd;
      for (let r = 0; r < rows; r++) {
        const x = v[frameRows[r] as number] as number;
        const at = base + r * rowStride;
        // ±Infinity cannot be scaled: it is read as missing, like NaN.
        if (!Number.isFinite(x)) {
          if (input.missingIndicator) out[at + colStride] = 1;
        } else out[at] = (x - input.mean) * inv;
      }
    } else if (input.kind === 'categorical' && column.kind === 'categorical') {
      const map = levelMap(input.levels, column.levels);
      const codes = column.codes;
      for (let r = 0; r < rows; r++) {
        const code = codes[frameRows[r] as number] as number;
        const slot = code < 0 ? -1 : (map[code] as number);
        if (slot >= 0) out[base + r * rowStride + slot * colStride] = 1;
      }
    }
    offset += inputWidth(input);
  }
}

let identityRows = new Int32Array(0);

/** 0, 1, …, n − 1 (at least), shared between calls. */
function identity(n: number): Int32Array {
  if (identityRows.length < n) {
    identityRows = new Int32Array(Math.max(n, 2 * identityRows.length));
    for (let i = 0; i < identityRows.length; i++) identityRows[i] = i;
  }
  return identityRows;
}

/** For each level of the scoring column, its slot among the training levels, or −1 when unseen. */
function levelMap(training: readonly string[], scoring: readonly string[]): Int32Array {
  const slot = new Map<string, number>();
  training.forEach((level, i) => {
    slot.set(level, i);
  });
  const map = new Int32Array(scoring.length);
  scoring.forEach((level, i) => {
    map[i] = slot.get(level) ?? -1;
  });
  return map;
}
