import { Injectable, Logger } from '@nestjs/common';
import { ApiKeyInfo, ApiKeyRepository, ApiKeyScope } from '@app/store';
import { AuthAppError } from '../auth-errors.js';
import { decodeCursor, Page, pageOf, parseDate } from '../common/page.js';
import { ApiKeyDto, CreatedApiKeyDto } from './api-key.dto.js';

@Injectable()
export class ApiKeysAdminService {
  private readonly logger = new Logger('Admin');

  constructor(private readonly keys: ApiKeyRepository) {}

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

  async revoke(id: string): Promise<void> {
    if (!(await this.keys.revoke(id))) throw new AuthAppError('api_key_not_found', `no API key ${id}`);
    this.logger.log({ msg: 'api key revoked', apiKeyId: id });
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
