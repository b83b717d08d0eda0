import { Inject, Injectable, Optional } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { SuiteRepository } from '@app/store';
import { isWecomId, WecomMsgCrypt } from '@app/wecom';

export interface SuiteKeys {
  crypt: WecomMsgCrypt;
  providerCorpId: string | null;
}

const TTL_MS = 30_000;
/** Unknown suite ids are remembered too, briefly: a suite registered a moment ago must not wait long. */
const MISSING_TTL_MS = 5_000;
/**
 * At most this many suite ids, known or not, least recently used first out: a flood of made-up ids costs one query
 * each and pushes out only other made-up ids and idle suites, never all at once.
 */
const MAX_ENTRIES = 10_000;
/** Injection token overriding MAX_ENTRIES (tests). */
export const SUITE_KEYS_MAX_ENTRIES = Symbol('SUITE_KEYS_MAX_ENTRIES');

/** lru-cache holds no null: an unknown suite is remembered as this. */
type Entry = { keys: SuiteKeys | null };

/**
 * Per-suite WXBizMsgCrypt, built once and kept for a short while (`lru-cache`): the hot path must not decrypt
 * suite secrets from the database on every callback. A changed suite is picked up within TTL_MS; concurrent
 * misses for one suite share one query.
 */
@Injectable()
export class SuiteKeysCache {
  private readonly entries: LRUCache<string, Entry>;

  constructor(
    private readonly suites: SuiteRepository,
    @Optional() @Inject(SUITE_KEYS_MAX_ENTRIES) maxEntries: number = MAX_ENTRIES,
  ) {
    this.entries = new LRUCache<string, Entry>({
      max: maxEntries,
      ttl: TTL_MS,
      fetchMethod: async (suiteId, _stale, { options }) => {
        const creds = await this.suites.findCredentials(suiteId);
        if (!creds) options.ttl = MISSING_TTL_MS;
        return { keys: creds ? { crypt: new WecomMsgCrypt(creds.token, creds.encodingAesKey), providerCorpId: creds.providerCorpId } : null };
      },
    });
  }

  async get(suiteId: string): Promise<SuiteKeys | null> {
    // A NUL in a path segment would otherwise reach PostgreSQL, which refuses it: a 503 instead of a 404.
    if (!isWecomId(suiteId)) return null;
    const entry = await this.entries.fetch(suiteId);
    return entry?.keys ?? null;
  }

  /** Drops a suite's entry at once (its provider corpid was just learned). */
  forget(suiteId: string): void {
    this.entries.delete(suiteId);
  }
}
