import { Injectable } from '@nestjs/common';
import { SuiteRepository } from '@app/store';
import { isWecomId, WecomMsgCrypt } from '@app/wecom';

export interface SuiteKeys {
  crypt: WecomMsgCrypt;
  providerCorpId: string | null;
}

/** WeCom suite ids are short ASCII ids (ww…, dk…): anything else cannot be one and is not looked up. */
const TTL_MS = 30_000;
const MISSING_TTL_MS = 5_000;
/** Unknown suite ids are remembered too (briefly); a flood of made-up ids must not grow the map without bound. */
const MAX_ENTRIES = 10_000;

/**
 * Per-suite WXBizMsgCrypt, built once and kept for a short while: the hot path must not decrypt
 * suite secrets from the database on every callback. A changed suite is picked up within TTL_MS.
 */
@Injectable()
export class SuiteKeysCache {
  private readonly entries = new Map<string, { keys: SuiteKeys | null; until: number }>();

  constructor(private readonly suites: SuiteRepository) {}

  async get(suiteId: string): Promise<SuiteKeys | null> {
    // A NUL in a path segment would otherwise reach PostgreSQL, which refuses it: a 503 instead of a 404.
    if (!isWecomId(suiteId)) return null;
    const now = Date.now();
    const hit = this.entries.get(suiteId);
    if (hit && hit.until > now) return hit.keys;
    const creds = await this.suites.findCredentials(suiteId);
    const keys = creds ? { crypt: new WecomMsgCrypt(creds.token, creds.encodingAesKey), providerCorpId: creds.providerCorpId } : null;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(suiteId, { keys, until: now + (keys ? TTL_MS : MISSING_TTL_MS) });
    return keys;
  }

  /** Drops a suite's entry at once (its provider corpid was just learned). */
  forget(suiteId: string): void {
    this.entries.delete(suiteId);
  }
}
