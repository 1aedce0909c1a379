// A byte-budgeted least-recently-used cache with typed keys (lru-cache underneath) and hit/miss counts for tests and diagnostics.
import { LRUCache } from 'lru-cache';

/** How a cache turns its typed key into a string and how many bytes a value holds. */
export interface KeyedCacheOptions<K, V> {
  /** A string that is equal for equal keys and different otherwise. */
  keyString: (key: K) => string;
  /** Bytes a value holds (its typed arrays); must be a positive integer. */
  bytesOf: (value: V) => number;
  /** Budget in bytes: the least recently used entries go first when it is exceeded. */
  maxBytes: number;
}

/**
 * Values keyed by everything they depend on, so a lookup never depends on the order of earlier calls. Entries
 * remember their typed key so whole groups can be dropped (a removed case, a replaced model).
 * @example
 * const maps = new KeyedCache<{ caseId: string }, Float32Array>({ keyString: (k) => k.caseId, bytesOf: (m) => m.byteLength, maxBytes: 1e8 });
 */
export class KeyedCache<K, V extends object> {
  private readonly entries: LRUCache<string, { key: K; value: V }>;
  hits = 0;
  misses = 0;

  constructor(private readonly options: KeyedCacheOptions<K, V>) {
    this.entries = new LRUCache({ maxSize: options.maxBytes, sizeCalculation: (entry) => options.bytesOf(entry.value) });
  }

  /** The value, marked most recently used; counts a hit or a miss. */
  get(key: K): V | undefined {
    const entry = this.entries.get(this.options.keyString(key));
    if (entry) this.hits++;
    else this.misses++;
    return entry?.value;
  }

  /** Looks up without touching the counters or the recency order. */
  peek(key: K): V | undefined {
    return this.entries.peek(this.options.keyString(key))?.value;
  }

  /** Stores a value (a value larger than the whole budget is not kept). */
  set(key: K, value: V): void {
    this.entries.set(this.options.keyString(key), { key, value });
  }

  /** Drops every entry whose key matches. */
  deleteWhere(matches: (key: K) => boolean): void {
    const doomed = [...this.entries.entries()].filter(([, entry]) => matches(entry.key)).map(([id]) => id);
    for (const id of doomed) this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }

  get byteSize(): number {
    return this.entries.calculatedSize;
  }
}
