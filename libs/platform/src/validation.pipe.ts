import { ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';

/**
 * A DTO class that can check a plain value itself, without class-transformer and class-validator: `checkPlain`
 * returns the messages class-validator would give for `value` under the app's options (whitelist,
 * forbidNonWhitelisted, all errors), in the same order; an empty list when it is valid. The class keeps its
 * decorators (OpenAPI reads them) and a unit test holds both answers equal (`libs/platform/src/validation.pipe.spec.ts`
 * shows the pattern for the id params).
 */
export interface PlainCheckedClass {
  new (): object;
  checkPlain(value: Record<string, unknown>): string[];
}

/** Its own `checkPlain` only: a subclass that adds fields inherits a check that does not know them. */
function isPlainChecked(metatype: unknown): metatype is PlainCheckedClass {
  return typeof metatype === 'function' && Object.hasOwn(metatype, 'checkPlain') && typeof (metatype as Partial<PlainCheckedClass>).checkPlain === 'function';
}

/**
 * The app-wide ValidationPipe (whitelist, forbidNonWhitelisted, transform, every error) with a fast path for
 * classes that check themselves (PlainCheckedClass): on the token API's hot routes class-transformer + class-validator
 * on the path ids were 14 % of the auth app's CPU (token-api profile, README). The answer is the same: the instance of
 * the class, or the 400 `{ statusCode, error: 'Bad Request', message: [...] }` ValidationPipe throws.
 */
export class PlatformValidationPipe extends ValidationPipe {
  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const metatype = metadata.metatype;
    if (!isPlainChecked(metatype) || typeof value !== 'object' || value === null || Array.isArray(value)) {
      return super.transform(value, metadata);
    }
    const messages = metatype.checkPlain(value as Record<string, unknown>);
    if (messages.length) throw new BadRequestException(messages);
    return Object.assign(new metatype(), value);
  }
}
