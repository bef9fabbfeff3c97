/**
 * The hash `CounterpartyTable` places an id by: FNV-1a over its char codes (ids are short, and V8's own
 * string hash is not reachable from JS).
 */
export function counterpartyHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h;
}

/**
 * Counterparty concentration (top-k share, HHI, distinct count) for one application. Amounts are summed
 * per counterparty id in an open-addressing hash table that is reused from one application to the next,
 * so a stream of a million borrowers allocates nothing here; a `Map` cleared per borrower allocated a new
 * backing store each time and showed up as garbage-collection time in the benchmark.
 */
export class CounterpartyTable {
  private keys: (string | undefined)[];
  private amounts: Float64Array;
  /** Slots in use, in insertion order, so that reset and summaries touch only those. */
  private used: Int32Array;
  private size = 0;
  private mask: number;
  /** The largest k any feature asks of this table. */
  private readonly topK: number;
  /** After `summarise`: the top-k amounts (descending), the total, the HHI and the distinct count. */
  readonly top: Float64Array;
  total = 0;
  hhi = Number.NaN;
  count = 0;

  constructor(topK: number, capacity = 64) {
    const cap = 1 << Math.ceil(Math.log2(Math.max(16, capacity)));
    this.keys = new Array<string | undefined>(cap).fill(undefined);
    this.amounts = new Float64Array(cap);
    this.used = new Int32Array(cap);
    this.mask = cap - 1;
    this.topK = topK;
    this.top = new Float64Array(Math.max(1, topK));
  }

  /** Forgets every counterparty (cost proportional to the number added since the last reset). */
  reset(): void {
    for (let i = 0; i < this.size; i++) this.keys[this.used[i] as number] = undefined;
    this.size = 0;
  }

  /** Adds an amount to a counterparty. */
  add(id: string, amount: number): void {
    this.addHashed(id, counterpartyHash(id), amount);
  }

  /**
   * `add` with the id's `counterpartyHash` already computed: a record joining several groups (sales over
   * 3, 12 and 24 months) hashes its id once.
   */
  addHashed(id: string, hash: number, amount: number): void {
    let slot = hash & this.mask;
    for (;;) {
      const k = this.keys[slot];
      if (k === undefined) {
        this.keys[slot] = id;
        this.amounts[slot] = amount;
        this.used[this.size++] = slot;
        // Keep the load factor under one half so probes stay short.
        if (this.size * 2 > this.mask) this.grow();
        return;
      }
      if (k === id) {
        this.amounts[slot] = (this.amounts[slot] as number) + amount;
        return;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldAmounts = this.amounts;
    const oldUsed = this.used;
    const n = this.size;
    const cap = oldKeys.length * 2;
    this.keys = new Array<string | undefined>(cap).fill(undefined);
    this.amounts = new Float64Array(cap);
    this.used = new Int32Array(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < n; i++) {
      const s = oldUsed[i] as number;
      this.add(oldKeys[s] as string, oldAmounts[s] as number);
    }
  }

  /** Computes the total, HHI (Σ share², NaN when the total is 0), distinct count and top-k amounts. */
  summarise(): void {
    const top = this.top;
    top.fill(0);
    const k = this.topK;
    let total = 0;
    let sq = 0;
    for (let i = 0; i < this.size; i++) {
      const v = this.amounts[this.used[i] as number] as number;
      total += v;
      sq += v * v;
      // Insertion into the short descending top-k list.
      if (k > 0 && v > (top[k - 1] as number)) {
        let j = k - 1;
        while (j > 0 && (top[j - 1] as number) < v) {
          top[j] = top[j - 1] as number;
          j--;
        }
        top[j] = v;
      }
    }
    this.total = total;
    this.count = this.size;
    this.hhi = total > 0 ? sq / (total * total) : Number.NaN;
  }

  /** Share of the k largest counterparties in the total (k ≤ the table's topK); NaN when the total is 0. */
  topShare(k: number): number {
    if (!(this.total > 0)) return Number.NaN;
    let s = 0;
    for (let i = 0; i < k && i < this.top.length; i++) s += this.top[i] as number;
    return s / this.total;
  }
}
