/**
 * A Bloom filter of de-duplication keys (Bloom 1970; two hashes combined as in Kirsch &
 * Mitzenmacher 2006, "Less hashing, same performance"). It answers "certainly never stored" for
 * most new keys, so that a commit asks the database only about the few keys it may have seen.
 * The keys are MD5 digests, already uniform: two 32-bit slices of a key are its two hashes.
 */
export class KeyFilter {
  private readonly bits: Uint32Array;
  private readonly mask: number;
  private count = 0;

  /** About 1 % false positives up to `capacity` keys (10 bits and 7 probes a key). */
  constructor(readonly capacity: number) {
    let size = 1024;
    while (size < capacity * 10) size *= 2;
    this.bits = new Uint32Array(size / 32);
    this.mask = size - 1;
  }

  /** True once more keys were added than the filter was sized for (it then errs more often). */
  get full(): boolean {
    return this.count > this.capacity;
  }

  add(h1: number, h2: number): void {
    this.count++;
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask;
      this.bits[bit >>> 5] = (this.bits[bit >>> 5] ?? 0) | (1 << (bit & 31));
    }
  }

  /** False when the key was certainly never added. */
  mightContain(h1: number, h2: number): boolean {
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask;
      if (((this.bits[bit >>> 5] ?? 0) & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

const PROBES = 7;

/** The two 32-bit hashes of a 128-bit key: its lowest two 32-bit words (as SQL reads them too). */
export function keyHashes(key: bigint): [number, number] {
  return [Number(key & 0xffffffffn), Number((key >> 32n) & 0xffffffffn)];
}

/** The same two hashes in SQL, over the `dedup_key` column. */
export const KEY_HASHES_SQL =
  "(dedup_key & 4294967295)::UINTEGER AS h1, ((dedup_key >> 32) & 4294967295)::UINTEGER AS h2";
