import { Inject } from '@nestjs/common';

/** The injection token of the process's one shared ioredis client (`@Inject(REDIS) redis: Redis`). */
export const REDIS = Symbol('REDIS');
/** The injection token of the `RedisSettings` (`{ url, prefix }`) the client was made from. */
export const REDIS_SETTINGS = Symbol('REDIS_SETTINGS');

/** `InjectRedis()` is `Inject(REDIS)`, named the way Nest users write `InjectQueue()`. */
export const InjectRedis = (): PropertyDecorator & ParameterDecorator => Inject(REDIS);
