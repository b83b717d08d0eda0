import { DynamicModule, Global, Module, Provider, Type } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AuthConfig } from '@app/config';
import { REDIS } from '@app/queues';
import { AuthCorpRepository, ProviderRepository, SecretCipher, StoredTokenRepository, SuiteRepository, SuiteTicketRepository } from '@app/store';
import { WecomServiceApi, WecomServiceApiOptions } from '@app/wecom';
import { RefreshSchedule } from './refresh-schedule.js';
import { TokenBroker } from './token-broker.service.js';
import { TokenCache } from './token-cache.js';
import { RedisWecomCallLimiter } from './wecom-call-limiter.js';

/** An app's metrics, as far as the token machinery reports to them. */
export interface TokenMetrics {
  tokenFetches: { inc(labels: { kind: string; outcome: string }): void };
  wecomCalls: { inc(labels: { path: string; outcome: string }): void };
}

/** Injection token of the `TokenMetrics` the broker and the WeCom client report to. */
export const TOKEN_METRICS = Symbol('TOKEN_METRICS');

const NO_METRICS: TokenMetrics = { tokenFetches: { inc: () => undefined }, wecomCalls: { inc: () => undefined } };

/** The environment variables TokensModule.forConfig reads (any app config with token timings has them). */
export type TokensConfig = Pick<
  AuthConfig,
  | 'REDIS_PREFIX'
  | 'REFRESH_MARGIN_SECONDS'
  | 'REFRESH_JITTER_SECONDS'
  | 'TOKEN_SERVE_MARGIN_SECONDS'
  | 'WECOM_API_BASE'
  | 'WECOM_TIMEOUT_MS'
  | 'WECOM_ONE_TIME_CODE_TIMEOUT_MS'
  | 'WECOM_CALLS_PER_MINUTE'
>;

export interface TokensModuleOptions {
  /** REDIS_PREFIX: the cache, locks and due-time index live under it. */
  redisPrefix: string;
  /** Refresh a token once it has less than this left (ms); 0 where only `scheduleNow` is used. */
  refreshMarginMs: number;
  /** Random spread added to due times (ms). */
  refreshJitterMs: number;
  /** The broker never serves a token with less than this left (ms). */
  serveMarginMs: number;
  /** The WeCom client's settings (base URL, timeouts in ms, retries); `onCall` is wired to the metrics. */
  wecom: Omit<WecomServiceApiOptions, 'onCall' | 'limiter'>;
  /**
   * WECOM_CALLS_PER_MINUTE: every WeCom call of the client waits for the platform's one Redis-backed budget
   * (`RedisWecomCallLimiter`, shared by every process with the same prefix). Without it, calls are not limited (tests).
   */
  wecomCallsPerMinute?: number;
  /**
   * The app's metrics class (built here, once, and exported to the app); needs MetricsModule. Without it the
   * broker reports nowhere (tests, CLI).
   */
  metrics?: Type<TokenMetrics>;
}

/**
 * The token machinery — WecomServiceApi, RefreshSchedule, TokenCache, TokenBroker — built the same way in the
 * auth app, the worker and test support. Needs RedisModule and StoreModule (both global).
 */
@Global()
@Module({})
export class TokensModule {
  static forRoot(options: TokensModuleOptions): DynamicModule {
    const metrics: Provider[] = options.metrics
      ? [options.metrics, { provide: TOKEN_METRICS, useExisting: options.metrics }]
      : [{ provide: TOKEN_METRICS, useValue: NO_METRICS }];
    return {
      module: TokensModule,
      providers: [
        ...metrics,
        {
          provide: WecomServiceApi,
          inject: [TOKEN_METRICS, REDIS],
          useFactory: (m: TokenMetrics, redis: Redis) =>
            new WecomServiceApi({
              ...options.wecom,
              limiter: options.wecomCallsPerMinute
                ? new RedisWecomCallLimiter({ redis, redisPrefix: options.redisPrefix, callsPerMinute: options.wecomCallsPerMinute })
                : undefined,
              onCall: (call) => m.wecomCalls.inc({ path: call.path, outcome: call.outcome }),
            }),
        },
        {
          provide: RefreshSchedule,
          inject: [REDIS],
          useFactory: (redis: Redis) => new RefreshSchedule(redis, options.redisPrefix, options.refreshMarginMs, options.refreshJitterMs),
        },
        {
          provide: TokenCache,
          inject: [REDIS, SecretCipher],
          useFactory: (redis: Redis, cipher: SecretCipher) => new TokenCache(redis, options.redisPrefix, cipher),
        },
        {
          provide: TokenBroker,
          inject: [REDIS, WecomServiceApi, SecretCipher, SuiteRepository, SuiteTicketRepository, AuthCorpRepository, StoredTokenRepository, RefreshSchedule, TOKEN_METRICS, ProviderRepository],
          useFactory: (
            redis: Redis,
            api: WecomServiceApi,
            cipher: SecretCipher,
            suites: SuiteRepository,
            tickets: SuiteTicketRepository,
            corps: AuthCorpRepository,
            storedTokens: StoredTokenRepository,
            schedule: RefreshSchedule,
            m: TokenMetrics,
            providers: ProviderRepository,
          ) =>
            new TokenBroker({
              redis,
              redisPrefix: options.redisPrefix,
              api,
              cipher,
              suites,
              providers,
              tickets,
              corps,
              storedTokens,
              schedule,
              serveMarginMs: options.serveMarginMs,
              onFetch: (kind, outcome) => m.tokenFetches.inc({ kind, outcome }),
            }),
        },
      ],
      exports: [...(options.metrics ? [options.metrics] : []), TOKEN_METRICS, WecomServiceApi, RefreshSchedule, TokenCache, TokenBroker],
    };
  }

  /**
   * `forRoot` with the options an app's validated environment gives (seconds become whole milliseconds).
   * `maxRetries` is the WeCom client's retry count for -1, 5xx and timeouts (the client's default when absent).
   */
  static forConfig(config: TokensConfig, options: { metrics?: Type<TokenMetrics>; maxRetries?: number } = {}): DynamicModule {
    return TokensModule.forRoot({
      redisPrefix: config.REDIS_PREFIX,
      refreshMarginMs: Math.round(config.REFRESH_MARGIN_SECONDS * 1000),
      refreshJitterMs: Math.round(config.REFRESH_JITTER_SECONDS * 1000),
      serveMarginMs: Math.round(config.TOKEN_SERVE_MARGIN_SECONDS * 1000),
      wecom: {
        baseUrl: config.WECOM_API_BASE,
        timeoutMs: config.WECOM_TIMEOUT_MS,
        oneTimeCodeTimeoutMs: config.WECOM_ONE_TIME_CODE_TIMEOUT_MS,
        maxRetries: options.maxRetries,
      },
      wecomCallsPerMinute: config.WECOM_CALLS_PER_MINUTE,
      metrics: options.metrics,
    });
  }

  /**
   * Only the due-time index, for a process that schedules refreshes but never fetches a token (the callback app
   * calls `scheduleNow`; margin and jitter belong to the worker).
   */
  static forSchedule(options: { redisPrefix: string }): DynamicModule {
    return {
      module: TokensModule,
      providers: [{ provide: RefreshSchedule, inject: [REDIS], useFactory: (redis: Redis) => new RefreshSchedule(redis, options.redisPrefix, 0, 0) }],
      exports: [RefreshSchedule],
    };
  }
}
