import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { ProviderRepository } from '@app/store';
import { isWecomId, WecomMsgCrypt } from '@app/wecom';

const TTL_MS = 30_000;
const MISSING_TTL_MS = 5_000;
const MAX_ENTRIES = 1_000;

/** lru-cache holds no null: a provider without system-event keys is remembered as this. */
type Entry = { crypt: WecomMsgCrypt | null };

/**
 * Per-provider WXBizMsgCrypt for the system-event URL (the provider's own token + EncodingAESKey), built once and
 * kept briefly like SuiteKeysCache: a rotated key is picked up within TTL_MS.
 */
@Injectable()
export class ProviderKeysCache {
  private readonly entries = new LRUCache<string, Entry>({
    max: MAX_ENTRIES,
    ttl: TTL_MS,
    fetchMethod: async (corpId, _stale, { options }) => {
      const creds = await this.providers.findCredentials(corpId);
      if (!creds?.token || !creds.encodingAesKey) {
        options.ttl = MISSING_TTL_MS;
        return { crypt: null };
      }
      return { crypt: new WecomMsgCrypt(creds.token, creds.encodingAesKey) };
    },
  });

  constructor(private readonly providers: ProviderRepository) {}

  /** The provider's crypt, or null for an unknown provider or one without system-event keys. */
  async get(providerCorpId: string): Promise<WecomMsgCrypt | null> {
    if (!isWecomId(providerCorpId)) return null;
    return (await this.entries.fetch(providerCorpId))?.crypt ?? null;
  }
}
