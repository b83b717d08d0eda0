import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { bool, cidrList, ConfigError, EnvOf, hostPortList, int, key32, key32List, num, optionalKey32, numList, oneOf, optionalInt, optionalStr, optionalUrl, optionalWecomId, originList, readEnv, str, url } from './env-schema.js';

const HTTP = ['http:', 'https:'];

const common = {
  DATABASE_URL: url('postgresql://postgres@127.0.0.1:5432/wecom_isv', ['postgresql:', 'postgres:']),
  DATABASE_POOL_SIZE: int(10, 1, 500),
  REDIS_URL: url('redis://127.0.0.1:6379', ['redis:', 'rediss:']),
  /**
   * Redis behind Sentinel: the Sentinels (`host:port,...`) and the master's name (REDIS_SENTINEL_NAME); REDIS_URL then
   * gives only the credentials, TLS and database number. Redis Cluster: its seed nodes in REDIS_CLUSTER_NODES instead
   * (credentials and TLS from REDIS_URL; a cluster has database 0 only). At most one of the two.
   */
  REDIS_SENTINELS: hostPortList(),
  REDIS_SENTINEL_NAME: optionalStr(),
  REDIS_CLUSTER_NODES: hostPortList(),
  /** Start even if Redis may evict keys (`maxmemory-policy` other than noeviction): BullMQ jobs could then vanish. */
  REDIS_ALLOW_EVICTION: bool(false),
  /** Prefix for every Redis key (BullMQ queues and token cache); lets tests and tenants share one Redis. */
  REDIS_PREFIX: str('wecom'),
  WECOM_API_BASE: url('https://qyapi.weixin.qq.com', HTTP),
  WECOM_TIMEOUT_MS: int(5000, 100, 120000),
  /** Per attempt for calls that spend a one-time code (permanent-code, login and OAuth exchanges): never retried. */
  WECOM_ONE_TIME_CODE_TIMEOUT_MS: int(30_000, 100, 120_000),
  /**
   * The platform's budget of WeCom calls per minute, shared by every process of every app through Redis
   * (WeCom allows 20,000 per minute per IP).
   */
  WECOM_CALLS_PER_MINUTE: int(18000, 1, 1_000_000),
  LOG_LEVEL: oneOf('log', ['error', 'warn', 'log', 'debug', 'verbose'] as const),
  /** Interface the app listens on: loopback unless set (0.0.0.0 in a container, behind its published port). */
  HOST: str('127.0.0.1'),
  /**
   * Proxies (IPs or CIDR ranges) whose X-Forwarded-For is believed for the client address; empty = none, the TCP peer
   * is the client. Never trust every hop: anyone could then pick their address and escape per-IP rate limits.
   */
  TRUST_PROXY: cidrList(),
  /**
   * A second port for /metrics, /docs and the details of /health; unset, they answer loopback peers only. Keep it off
   * the public network (do not publish it); Prometheus scrapes it.
   */
  OPS_PORT: optionalInt(0, 65535),
};

/**
 * Token timings. Seconds, fractions allowed: tests run the simulator on a fast clock (a 7200 s token living
 * 20 real seconds at factor 360) and scale these with it.
 */
const tokenTiming = {
  /** The token API never serves a token with less than this left. */
  TOKEN_SERVE_MARGIN_SECONDS: num(300, 0.01, 3600),
  /** Refresh a token once it has less than this many seconds left (keep it above TOKEN_SERVE_MARGIN_SECONDS). */
  REFRESH_MARGIN_SECONDS: num(900, 0.01, 3600),
  /** Up to this much earlier, at random, so tokens fetched together do not all come due together. */
  REFRESH_JITTER_SECONDS: num(120, 0, 1800),
};

/** Where webhooks may go (checked when an endpoint is registered, and again at every connection). */
const webhookTargets = {
  /** Accept plain-http endpoint URLs (development, tests, the demo); production endpoints must use https. */
  WEBHOOK_ALLOW_HTTP: bool(false),
  /** IPs/CIDRs that endpoints may reach although private, loopback or link-local (refused otherwise). */
  WEBHOOK_ALLOW_PRIVATE_TARGETS: cidrList(),
};

const secrets = {
  SECRET_KEY: key32(),
  SECRET_KEYS_OLD: key32List(),
};

export const callbackEnv = {
  ...common,
  ...secrets,
  CALLBACK_PORT: int(3001, 0, 65535),
  CALLBACK_BODY_LIMIT: int(1024 * 1024, 1024, 16 * 1024 * 1024),
  /** A callback whose `timestamp` is further than this from our clock is refused as a replay (keep the clock on NTP). */
  CALLBACK_MAX_CLOCK_SKEW_SECONDS: int(300, 10, 86_400),
};

/**
 * The WeCom API gateway's limits, enforced in Redis across replicas before WeCom would refuse (WeCom's published
 * figures by default: 主动调用频率限制 and 发送应用消息).
 */
const gatewayLimits = {
  /** Calls of one WeCom API for one corp per minute and per hour. */
  GATEWAY_CORP_API_PER_MINUTE: int(10_000, 1, 10_000_000),
  GATEWAY_CORP_API_PER_HOUR: int(150_000, 1, 100_000_000),
  /** Provider-token API calls per provider per minute and per hour. */
  GATEWAY_PROVIDER_PER_MINUTE: int(40_000, 1, 10_000_000),
  GATEWAY_PROVIDER_PER_HOUR: int(1_200_000, 1, 100_000_000),
  /** Calls through the gateway from this platform (one server IP) per minute and per hour. */
  GATEWAY_IP_PER_MINUTE: int(20_000, 1, 10_000_000),
  GATEWAY_IP_PER_HOUR: int(600_000, 1, 100_000_000),
  /** App messages to one member from one app per minute and per hour (WeCom drops the rest silently). */
  GATEWAY_MESSAGES_PER_MEMBER_PER_MINUTE: int(30, 1, 100_000),
  GATEWAY_MESSAGES_PER_MEMBER_PER_HOUR: int(1000, 1, 1_000_000),
  /** Person-times per app per day for every account of the corp (corp_user_max × this). */
  GATEWAY_MESSAGES_PER_ACCOUNT_PER_DAY: int(200, 1, 100_000),
  /** corp_user_max assumed when the corp's auth info has none. */
  GATEWAY_DEFAULT_CORP_USER_MAX: int(200, 1, 10_000_000),
  /** How long one gateway call may take in all, retries of errcode -1 included (ms). */
  GATEWAY_DEADLINE_MS: int(10_000, 100, 120_000),
  /** After WeCom answers 45009/45033 for a corp, its calls are refused here this long (s); WeCom locks out 60 s. */
  GATEWAY_SLOWDOWN_SECONDS: int(60, 1, 3600),
  /** Cached id conversions live this long (s); per suite, never shared. */
  GATEWAY_ID_CACHE_SECONDS: int(86_400, 1, 30 * 86_400),
};

const consoleWecomLogin = {
  /**
   * The provider corp (服务商, registered with `provider add`) whose own staff may sign in to the console with WeCom
   * (扫码登录, 3rd_qrConnect + get_login_info): only scans by members of this corp whose userid an admin linked to a
   * console user are let in. Unset: password sign-in only, and the console shows no WeCom button.
   */
  CONSOLE_WECOM_LOGIN_PROVIDER_CORPID: optionalWecomId(),
};

export const authEnv = {
  ...common,
  ...secrets,
  ...tokenTiming,
  AUTH_PORT: int(3000, 0, 65535),
  PUBLIC_BASE_URL: url('http://127.0.0.1:3000', HTTP),
  WECOM_INSTALL_BASE: url('https://open.work.weixin.qq.com', HTTP),
  WECOM_OAUTH_BASE: url('https://open.weixin.qq.com', HTTP),
  INSTALL_SESSION_TTL_SECONDS: int(1200, 60, 86400),
  OAUTH_RESULT_TTL_SECONDS: int(300, 30, 3600),
  /**
   * Origins an OAuth login may send its signed result to, besides PUBLIC_BASE_URL's and the suite's success URL's.
   * A login token delivered to any origin could be replayed by whoever owns it.
   */
  OAUTH_REDIRECT_ORIGINS: originList(),
  /** Where WeCom reaches the callback app; the console shows the exact callback URLs to paste into WeCom's console. */
  CALLBACK_PUBLIC_BASE_URL: url('http://127.0.0.1:3001', HTTP),
  /** Life of a console session from sign-in; sign-out, a role change or disabling the user end it sooner. */
  CONSOLE_SESSION_TTL_HOURS: int(12, 1, 720),
  /** Failed console sign-ins allowed per username and client address in 15 minutes before 429. */
  CONSOLE_LOGIN_MAX_FAILURES: int(10, 1, 10000),
  ...consoleWecomLogin,
  /**
   * Where the per-IP and per-suite counters of the anonymous routes live; default REDIS_URL. They are per client, so
   * a flood creates keys (each gone after a minute): point this at a Redis with an eviction policy to keep them out of
   * the `noeviction` Redis that BullMQ needs.
   */
  RATE_LIMIT_REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  /** Requests per client IP per minute to the install page, its button and its completion together. */
  INSTALL_REQUESTS_PER_IP_PER_MINUTE: int(30, 1, 1_000_000),
  /** Install button presses (each costs two WeCom calls) per suite per minute, from all clients together. */
  INSTALL_STARTS_PER_SUITE_PER_MINUTE: int(60, 1, 1_000_000),
  /** Requests per client IP per minute to the OAuth routes (a company's members may share one NAT address). */
  OAUTH_REQUESTS_PER_IP_PER_MINUTE: int(600, 1, 1_000_000),
  /** Invalidations of one token (suite, or one corp's) per API key per minute; each may cost a WeCom fetch. */
  INVALIDATIONS_PER_TOKEN_PER_MINUTE: int(6, 1, 1_000_000),
  /** Invalidations of any token per API key per minute. */
  INVALIDATIONS_PER_KEY_PER_MINUTE: int(600, 1, 1_000_000),
  ...webhookTargets,
  /** Longest long-poll of the pull API (`wait`), seconds. */
  EVENTS_MAX_WAIT_SECONDS: int(30, 0, 300),
  ...gatewayLimits,
};

export const workerEnv = {
  ...common,
  ...secrets,
  ...tokenTiming,
  WORKER_PORT: int(3002, 0, 65535),
  /** How often one worker moves due tokens from the due-time index into refresh jobs. */
  REFRESH_SWEEP_INTERVAL_MS: int(5000, 50, 60_000),
  /** Corps read per page by the schedule reconciliation; its cursor is saved after each page. */
  RECONCILE_PAGE_SIZE: int(1000, 1, 100_000),
  /** After a 45009 the whole queue pauses this long (WeCom's per-minute lockout is 60 s). */
  WECOM_RATE_LIMIT_PAUSE_MS: int(60_000, 50, 3_600_000),
  WORKER_CONCURRENCY: int(20, 1, 500),
  /** How often stored callback events that never reached the queue are looked for. */
  INBOX_SWEEP_INTERVAL_MS: int(10_000, 100, 600_000),
  /** Finished (processed or failed) inbox events are deleted this many days after they arrived. */
  INBOX_RETENTION_DAYS: num(30, 0.0001, 3650),
  /** Install sessions are deleted this many hours after they expired. */
  INSTALL_SESSION_RETENTION_HOURS: num(24, 0, 8760),
  /** auth_code claims are deleted this many days after the code was claimed (the code itself lives 600 s). */
  AUTH_CODE_CLAIM_RETENTION_DAYS: num(7, 0.0001, 3650),
  /** How often one worker runs the retention purge. */
  RETENTION_PURGE_INTERVAL_MS: int(600_000, 1000, 86_400_000),
  /** Events younger than this are left to the callback app, which enqueues right after storing. */
  INBOX_SWEEP_GRACE_MS: int(10_000, 0, 600_000),
  /** An event queued this long ago and still unprocessed is added to the queue again (a no-op if its job exists). */
  INBOX_REQUEUE_AFTER_SECONDS: int(300, 1, 86_400),
  /** A data callback whose corp has not become a tenant within this long is marked orphan (kept, not processed). */
  INBOX_ORPHAN_AFTER_SECONDS: num(3600, 0.1, 30 * 86_400),
  /** A job whose worker stops renewing its lock for this long (crash, SIGKILL) is taken back. */
  JOB_LOCK_DURATION_MS: int(30_000, 1000, 600_000),
  /** How often each worker looks for such stalled jobs. */
  JOB_STALLED_INTERVAL_MS: int(30_000, 500, 600_000),
  ...webhookTargets,
  /** A receiver must answer within this (connect, send, response headers and the first KiB). */
  WEBHOOK_TIMEOUT_MS: int(15_000, 100, 120_000),
  /** Seconds before each attempt (the first normally 0); after the last, the delivery is `failed`. Same as libs/events' DEFAULT_RETRY_SCHEDULE_SECONDS. */
  WEBHOOK_RETRY_SCHEDULE_SECONDS: numList([0, 5, 300, 1800, 7200, 18000, 36000, 36000, 36000, 36000, 36000, 36000]),
  /** Deliveries in flight per worker process (each endpoint also has its own cap). */
  WEBHOOK_CONCURRENCY: int(50, 1, 1000),
  /** An endpoint whose attempts have all failed for this long is disabled (with a reason and a metric). */
  WEBHOOK_DISABLE_AFTER_HOURS: num(120, 0.0001, 24 * 60),
  /** How often deliveries whose job was lost are looked for; those overdue by the grace are queued again. */
  WEBHOOK_SWEEP_INTERVAL_MS: int(10_000, 100, 600_000),
  WEBHOOK_SWEEP_GRACE_MS: int(10_000, 0, 600_000),
  /** How often one worker reconciles the next batch of tenants' account licenses with WeCom (a full pass spans ticks). */
  LICENSE_RECONCILE_INTERVAL_MS: int(60_000, 100, 86_400_000),
  /** Tenants per reconciliation tick; the pass resumes where the last tick stopped. */
  LICENSE_RECONCILE_TENANTS_PER_TICK: int(200, 1, 100_000),
  /** WeCom calls per minute the license reconciliation may make, across every worker (within WECOM_CALLS_PER_MINUTE). */
  LICENSE_CALLS_PER_MINUTE: int(6000, 60, 40_000),
  /** How often accounts entering an expiry window (30, 7, 1 days, expired) are announced as `license.expiring`. */
  LICENSE_EXPIRY_CHECK_INTERVAL_MS: int(60_000, 100, 86_400_000),
};

export const simEnv = {
  SIM_PORT: int(3999, 0, 65535),
  /** Interface the simulator listens on; 0.0.0.0 to reach it from other containers. */
  SIM_HOST: str('127.0.0.1'),
  /** Simulated seconds per real second: 60 makes a 7200 s token last two real minutes. */
  SIM_TIME_FACTOR: num(1, 0.001),
  SIM_TICKET_INTERVAL_SECONDS: int(600, 0, 86400),
  /** What a repeated fetch of a still-valid token says in expires_in: the time left, or a constant 7200. */
  SIM_EXPIRES_IN_MODE: oneOf('remaining', ['remaining', 'constant'] as const),
  LOG_LEVEL: common.LOG_LEVEL,
};

/** The CLI: SECRET_KEY only for the commands that seal or open secrets (they say so when it is missing). */
export const cliEnv = { ...common, SECRET_KEY: optionalKey32(), SECRET_KEYS_OLD: key32List(), ...webhookTargets, ...consoleWecomLogin };

export type CommonConfig = EnvOf<typeof common>;
export type CallbackConfig = EnvOf<typeof callbackEnv>;
export type AuthConfig = EnvOf<typeof authEnv>;
export type WorkerConfig = EnvOf<typeof workerEnv>;
export type SimConfig = EnvOf<typeof simEnv>;
export type CliConfig = EnvOf<typeof cliEnv>;

let envFileLoaded = false;

/** Loads `.env` from the working directory once; variables already set win over the file. */
function loadDotEnv(): void {
  if (envFileLoaded) return;
  envFileLoaded = true;
  const file = resolve(process.cwd(), '.env');
  if (existsSync(file)) process.loadEnvFile(file);
}

export function loadConfig<S extends Record<string, (raw: string | undefined) => unknown>>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): EnvOf<S> {
  if (env === process.env) loadDotEnv();
  return readEnv(schema, env);
}

export { optionalStr };

/** For an app's main: a bad environment stops start-up with the message naming each bad variable, no stack. */
export function loadConfigOrExit<S extends Record<string, (raw: string | undefined) => unknown>>(schema: S): EnvOf<S> {
  try {
    return loadConfig(schema);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
