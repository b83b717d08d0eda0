import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AuthCorpRepository } from '@app/store';
import { isWecomId, WecomMsgCrypt } from '@app/wecom';

const TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;

/** lru-cache holds no null: a corp using its suite's keys is remembered as this. */
type Entry = { crypt: WecomMsgCrypt | null };

/**
 * 代开发 corp-level callback keys: a customized app's data callbacks may be configured per corp with their own Token
 * and EncodingAESKey. Keyed by suite and the envelope's ToUserName (the corp, in clear); null = use the suite's keys.
 * Kept briefly (lru-cache) so the hot path does not read the database per callback.
 */
@Injectable()
export class CorpKeysCache {
  private readonly entries = new LRUCache<string, Entry>({
    max: MAX_ENTRIES,
    ttl: TTL_MS,
    fetchMethod: async (key) => {
      const [suiteId, corpId] = key.split('|');
      const keys = await this.corps.findCallbackKeys(suiteId, corpId);
      return { crypt: keys ? new WecomMsgCrypt(keys.token, keys.encodingAesKey) : null };
    },
  });

  constructor(private readonly corps: AuthCorpRepository) {}

  /** The corp's own crypt, or null when its data callbacks use the suite's keys (or the id is not a WeCom id). */
  async get(suiteId: string, corpId: string | undefined): Promise<WecomMsgCrypt | null> {
    if (!corpId || !isWecomId(corpId)) return null;
    return (await this.entries.fetch(`${suiteId}|${corpId}`))?.crypt ?? null;
  }

  /** Drops a corp's entry (its keys were just changed in this process). */
  forget(suiteId: string, corpId: string): void {
    this.entries.delete(`${suiteId}|${corpId}`);
  }
}
