import { Injectable } from '@nestjs/common';
import { AuthCorpRepository } from '@app/store';
import { randomNonce, signJsapi } from '@app/wecom';
import { AuthAppError } from '../auth-errors.js';
import { JssdkSignaturesDto } from './token-api.dto.js';
import { TokenApiService } from './token-api.service.js';

/** jssdkUsedAt tells the worker which corps' tickets to keep warm; one write a minute per corp is plenty. */
const TOUCH_INTERVAL_MS = 60_000;

/** Signature sets for `wx.config` (corp jsapi_ticket) and `wx.agentConfig` (agent ticket). */
@Injectable()
export class JssdkService {
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly tokens: TokenApiService,
    private readonly corps: AuthCorpRepository,
  ) {}

  async sign(suiteId: string, corpId: string, url: string): Promise<JssdkSignaturesDto> {
    const corp = await this.tokens.activeCorp(suiteId, corpId);
    if (corp.agentId === null) throw new AuthAppError('corp_has_no_agent', `corp ${corpId} has no agent of suite ${suiteId} to sign agentConfig for`);
    const [jsapi, agent] = await Promise.all([
      this.tokens.get({ kind: 'jsapi', suiteId, corpId }),
      this.tokens.get({ kind: 'agent', suiteId, corpId }),
    ]);
    const timestamp = Math.floor(Date.now() / 1000);
    const configNonce = randomNonce();
    const agentNonce = randomNonce();
    await this.touch(suiteId, corpId);
    return {
      config: { corpId, timestamp, nonceStr: configNonce, signature: signJsapi({ ticket: jsapi.value, nonceStr: configNonce, timestamp, url }) },
      agentConfig: {
        corpId,
        agentId: corp.agentId,
        timestamp,
        nonceStr: agentNonce,
        signature: signJsapi({ ticket: agent.value, nonceStr: agentNonce, timestamp, url }),
      },
    };
  }

  private async touch(suiteId: string, corpId: string): Promise<void> {
    const id = `${suiteId}|${corpId}`;
    const now = Date.now();
    if (now - (this.lastTouched.get(id) ?? 0) < TOUCH_INTERVAL_MS) return;
    this.lastTouched.set(id, now);
    await this.corps.touchJssdk(suiteId, corpId);
  }
}
