import { Injectable, OnModuleInit } from '@nestjs/common';
import { TokenBroker } from '@app/tokens';
import { EventPublisher } from './event-publisher.js';

/**
 * Publishes `tenant.suspended` when this process's TokenBroker suspends a corp (WeCom answered get_corp_token with
 * 40084 or 40082 for it): once per transition, since the broker calls its listeners only from the one process whose
 * update changed the status. Provide it beside EventPublisher in every app that runs a broker (auth, worker).
 */
@Injectable()
export class TenantSuspendedListener implements OnModuleInit {
  constructor(
    private readonly broker: TokenBroker,
    private readonly publisher: EventPublisher,
  ) {}

  onModuleInit(): void {
    this.broker.onCorpSuspended(async (s) => {
      await this.publisher.publishSuspended(s.suiteId, s.corpId, s.errcode, s.reason, s.at);
    });
  }
}
