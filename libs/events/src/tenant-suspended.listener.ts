import { Injectable, OnModuleInit } from '@nestjs/common';
import { TokenBroker } from '@app/tokens';
import { EventPublisher } from './event-publisher.js';

/**
 * `tenant.suspended` for every corp this process's TokenBroker suspends (WeCom answered get_corp_token with 40084 or
 * 40082 for it): the broker stores the event in the transaction that changes the status (so it is never lost between
 * the two, and there is one per transition), then this queues its webhook deliveries (the sweeper does if that
 * fails). Provide it beside EventPublisher in every app that runs a broker (auth, worker).
 */
@Injectable()
export class TenantSuspendedListener implements OnModuleInit {
  constructor(
    private readonly broker: TokenBroker,
    private readonly publisher: EventPublisher,
  ) {}

  onModuleInit(): void {
    this.broker.recordSuspensionsAs((s) => this.publisher.suspendedEvent(s.suiteId, s.corpId, s.errcode, s.reason, s.at));
    this.broker.onCorpSuspended(async (s) => {
      if (s.publication) await this.publisher.queueDeliveries(s.publication);
    });
  }
}
