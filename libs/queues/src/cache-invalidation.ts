import type { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { duplicateRedis } from './redis-connection.js';

export interface CacheInvalidationOptions {
  /** The pub/sub channel the changes are announced on. */
  channel: string;
  /** The subscriber connection's name, so operators (and tests) can find it in CLIENT LIST. */
  connectionName: string;
  /** Called with each message's payload (e.g. the id of the changed entry). */
  onMessage: (message: string) => void;
  /** Drop everything cached: called when the subscription goes down and again when it stands anew. */
  onReset: () => void;
  /** Where failures are warned about, with `label` (e.g. 'token change subscription') as the message. */
  logger: Logger;
  label: string;
}

/**
 * The Redis subscription an in-process cache trusts for invalidation (`ApiKeyCache`, `LocalTokens`). It has its own
 * connection (`duplicateRedis`: a connection in subscriber mode can send nothing else) and subscribes anew on every
 * (re)connection. A message sent while it is down is missed, so `onReset` runs when it goes down and again once the
 * subscription stands; `live` says whether the cache may be served from and filled now.
 */
export class CacheInvalidationSubscription {
  private readonly subscriber: Redis;
  private up = false;

  constructor(redis: Redis, options: CacheInvalidationOptions) {
    const { channel, onMessage, onReset, logger, label } = options;
    const subscriber = duplicateRedis(redis, { autoResubscribe: false, connectionName: options.connectionName });
    this.subscriber = subscriber;
    subscriber.on('message', (from: string, message: string) => {
      if (from === channel) onMessage(message);
    });
    const down = () => {
      this.up = false;
      onReset();
    };
    subscriber.on('close', down);
    subscriber.on('reconnecting', down);
    subscriber.on('error', (err: Error) => logger.warn({ msg: label, error: err.message }));
    subscriber.on('ready', () => {
      subscriber.subscribe(channel).then(
        () => {
          if (subscriber.status !== 'ready') return;
          onReset();
          this.up = true;
        },
        (err: Error) => logger.warn({ msg: `${label} failed`, error: err.message }),
      );
    });
  }

  /** Subscribed, and nothing missed since the last `onReset`. */
  get live(): boolean {
    return this.up;
  }

  close(): void {
    this.up = false;
    this.subscriber.disconnect();
  }
}
