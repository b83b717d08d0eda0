import { Injectable } from '@nestjs/common';
import { AuthCorpRepository } from '@app/store';

const TTL_MS = 60_000;
const MAX_ENTRIES = 100_000;

/** Answers "has this corp authorized this suite?" for data callbacks, remembering answers briefly. */
@Injectable()
export class CorpMembershipCache {
  private readonly entries = new Map<string, { active: boolean; until: number }>();

  constructor(private readonly corps: AuthCorpRepository) {}

  async isAuthorized(suiteId: string, corpId: string): Promise<boolean> {
    const key = `${suiteId}|${corpId}`;
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.active;
    const corp = await this.corps.find(suiteId, corpId);
    const active = corp !== null && corp.status !== 'cancelled';
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { active, until: now + TTL_MS });
    return active;
  }
}
