import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorDto } from '../common/error.dto.js';
import { Access, ACCESS, ApiKeyAuthGuard, ScopeGuard } from './scope.guard.js';

/** Puts a controller or route behind an API key with the given access rule, and documents it. */
export function ApiAccess(access: Access): ClassDecorator & MethodDecorator {
  return applyDecorators(
    ACCESS(access),
    UseGuards(ApiKeyAuthGuard, ScopeGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ type: ErrorDto, description: 'No API key, or an unknown or revoked one' }),
    ApiForbiddenResponse({
      type: ErrorDto,
      description: access === 'admin' ? 'The key lacks the admin scope' : `The key is scoped to another ${access}`,
    }),
  );
}
