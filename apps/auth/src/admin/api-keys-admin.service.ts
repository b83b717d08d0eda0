import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { bumpApiKeyRevocationEpoch, InjectRedis } from '@app/queues';
import { ApiKeyInfo, ApiKeyRepository, ApiKeyScope } from '@app/store';
import { AuthAppError } from '../auth-errors.js';
import { decodeCursor, Page, pageOf, parseDate } from '../common/page.js';
import { ApiKeyDto, CreatedApiKeyDto } from './api-key.dto.js';

@Injectable()
export class ApiKeysAdminService {
  private readonly logger = new Logger('Admin');

  constructor(
    private readonly keys: ApiKeyRepository,
    @InjectRedis() private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  /** The key is in this answer and nowhere else: only its hash is stored, and it is never logged. */
  async create(name: string, scopes: ApiKeyScope[]): Promise<CreatedApiKeyDto> {
    const { key, info } = await this.keys.create(name, [...new Set(scopes)]);
    this.logger.log({ msg: 'api key created', apiKeyId: info.id, keyPrefix: info.keyPrefix, scopes: info.scopes });
    return { ...present(info), key };
  }

  list(limit: number | undefined, cursor: string | undefined): Promise<Page<ApiKeyDto>> {
    const position = cursor === undefined ? undefined : decodeCursor(cursor, ['createdAt', 'id']);
    const after = position && { createdAt: parseDate(position.createdAt), id: position.id };
    return pageOf(limit, (take) => this.keys.page(take, after), present, (k) => ({ createdAt: k.createdAt.toISOString(), id: k.id }));
  }

  /** Revokes in the database, then moves the revocation epoch so every process drops its cached keys at once. */
  async revoke(id: string): Promise<void> {
    if (!(await this.keys.revoke(id))) throw new AuthAppError('api_key_not_found', `no API key ${id}`);
    this.logger.log({ msg: 'api key revoked', apiKeyId: id });
    try {
      await bumpApiKeyRevocationEpoch(this.redis, this.config.REDIS_PREFIX);
    } catch {
      throw new AuthAppError('redis_unavailable', `API key ${id} is revoked, but other processes could not be told: repeat the revocation once Redis is back`);
    }
  }
}

function present(info: ApiKeyInfo): ApiKeyDto {
  return {
    id: info.id,
    name: info.name,
    keyPrefix: info.keyPrefix,
    scopes: info.scopes,
    createdAt: info.createdAt,
    lastUsedAt: info.lastUsedAt,
    revokedAt: info.revokedAt,
  };
}
