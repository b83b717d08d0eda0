/**
 * A Map of short-lived entries (codes, tickets) that forgets them some time after they expire.
 * Every entry of one map has the same lifetime and the clock only moves forward, so insertion order is
 * expiry order and pruning from the head is O(1) amortised. Expired entries are kept for `graceMs` so the
 * simulator can still tell "expired" (e.g. 42007) from "never existed" (40077).
 */
export class ExpiringMap<V extends { expiresAt: number }> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly graceMs: number) {}

  set(key: string, value: V, now: number): void {
    this.prune(now);
    this.entries.set(key, value);
  }

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }

  values(): IterableIterator<V> {
    return this.entries.values();
  }

  prune(now: number): void {
    for (const [key, value] of this.entries) {
      if (value.expiresAt + this.graceMs > now) break;
      this.entries.delete(key);
    }
  }
}
