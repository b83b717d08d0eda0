import type { Provider, Type } from '@nestjs/common';
import type { Redis } from 'ioredis';
import {
  AuthCodeClaimRepository,
  AuthCorpRepository,
  SecretCipher,
  StoredTokenRepository,
  SuiteRepository,
  SuiteTicketRepository,
} from '@app/store';
import { WecomServiceApi } from '@app/wecom';
import { CorpAuthorizationService } from './corp-authorization.service.js';
import { RefreshSchedule } from './refresh-schedule.js';
import { TokenBroker, TokenBrokerDeps } from './token-broker.service.js';

/** An app's metrics, as far as the broker reports to them. */
export interface TokenFetchMetrics {
  tokenFetches: { inc(labels: { kind: string; outcome: string }): void };
}

/**
 * The Nest providers for TokenBroker and CorpAuthorizationService, wired the same way in every app that needs them.
 * The app provides WecomServiceApi, RefreshSchedule, the store (StoreModule) and its metrics class.
 */
export function tokenBrokerProviders(options: {
  redis: Redis;
  redisPrefix: string;
  serveMarginMs: number;
  metrics: Type<TokenFetchMetrics>;
}): Provider[] {
  return [
    {
      provide: TokenBroker,
      inject: [WecomServiceApi, SecretCipher, SuiteRepository, SuiteTicketRepository, AuthCorpRepository, StoredTokenRepository, RefreshSchedule, options.metrics],
      useFactory: (
        api: WecomServiceApi,
        cipher: SecretCipher,
        suites: SuiteRepository,
        tickets: SuiteTicketRepository,
        corps: AuthCorpRepository,
        storedTokens: StoredTokenRepository,
        schedule: RefreshSchedule,
        metrics: TokenFetchMetrics,
      ) => {
        const deps: TokenBrokerDeps = {
          redis: options.redis,
          redisPrefix: options.redisPrefix,
          api,
          cipher,
          suites,
          tickets,
          corps,
          storedTokens,
          schedule,
          serveMarginMs: options.serveMarginMs,
          onFetch: (kind, outcome) => metrics.tokenFetches.inc({ kind, outcome }),
        };
        return new TokenBroker(deps);
      },
    },
    {
      provide: CorpAuthorizationService,
      inject: [TokenBroker, WecomServiceApi, AuthCodeClaimRepository, AuthCorpRepository, StoredTokenRepository, RefreshSchedule],
      useFactory: (
        broker: TokenBroker,
        api: WecomServiceApi,
        claims: AuthCodeClaimRepository,
        corps: AuthCorpRepository,
        storedTokens: StoredTokenRepository,
        schedule: RefreshSchedule,
      ) => new CorpAuthorizationService(broker, api, claims, corps, storedTokens, schedule),
    },
  ];
}
