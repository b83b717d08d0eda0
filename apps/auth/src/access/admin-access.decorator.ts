import { applyDecorators, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { ApiBearerAuth, ApiCookieAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorDto } from '../common/error.dto.js';
import { AdminAccessGuard, PERMISSION } from './admin-access.guard.js';
import { type Permission, WHO_MAY } from './principal.js';

/**
 * An admin route, open to an API key with the `admin` scope (machines) or a console session whose role grants
 * `permission` (people; with `X-CSRF-Token` on POST/PATCH/DELETE). Documents both in OpenAPI.
 */
export function AdminAccess(permission: Permission): MethodDecorator & ClassDecorator {
  return applyDecorators(
    PERMISSION(permission),
    UseGuards(AuthGuard(['api-key', 'console-session']), AdminAccessGuard),
    ApiBearerAuth(),
    ApiCookieAuth('console-session'),
    ApiUnauthorizedResponse({ type: ErrorDto, description: 'No API key or session, or an unknown, revoked or expired one' }),
    ApiForbiddenResponse({
      type: ErrorDto,
      description: `A key without the admin scope; a session without ${WHO_MAY[permission]}; csrf_token_invalid`,
    }),
  );
}
