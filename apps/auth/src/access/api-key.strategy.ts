import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import type { ApiKeyInfo } from '@app/store';
import { ApiKeyCache } from './api-key-cache.js';

/** The passport strategy name of the API-key check (`AuthGuard(API_KEY_STRATEGY)`). */
export const API_KEY_STRATEGY = 'api-key';

const BEARER = /^Bearer ([^\s]+)$/i;

/**
 * `Authorization: Bearer <api key>` checked against the stored hashes through ApiKeyCache, which sees every
 * revocation at once (header only: a key in a query string would end up in access logs). The active key becomes `request.user`; ScopeGuard then checks its scopes.
 * Throws UnauthorizedException (401) without a well-formed header or with an unknown or revoked key.
 */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(HeaderAPIKeyStrategy, API_KEY_STRATEGY) {
  constructor(private readonly keys: ApiKeyCache) {
    // The prefix is matched here, case-insensitively, rather than by the strategy's case-sensitive prefix.
    super({ header: 'Authorization', prefix: '' }, false);
  }

  async validate(header: string): Promise<ApiKeyInfo> {
    const match = BEARER.exec(header.trim());
    if (!match) throw new UnauthorizedException('send Authorization: Bearer <api key>');
    const key = await this.keys.findActive(match[1]);
    if (!key) throw new UnauthorizedException('the API key is unknown or revoked');
    return key;
  }
}
