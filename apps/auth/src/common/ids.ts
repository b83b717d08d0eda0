import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

import { isWecomId, WECOM_ID, WECOM_ID_RULE } from '@app/wecom';

export { WECOM_ID };
/** The validation message for a WeCom id field. */
export const ID_MESSAGE = (name: string): string => `${name} must be ${WECOM_ID_RULE}`;

/**
 * `checkPlain` for a params class whose fields are all WeCom ids (PlatformValidationPipe's fast path): the messages
 * class-validator gives — unknown properties first, then each field, `fields` in class-validator's order (a subclass's
 * own fields before its parent's). ids.spec.ts holds it equal to class-validator's answer.
 */
function wecomIdFields(...fields: string[]): (value: Record<string, unknown>) => string[] {
  return (value) => {
    const messages: string[] = [];
    for (const key of Object.keys(value)) if (!fields.includes(key)) messages.push(`property ${key} should not exist`);
    for (const field of fields) if (!isWecomId(value[field])) messages.push(ID_MESSAGE(field));
    return messages;
  };
}

/**
 * `checkPlain` of a params class that adds Fastify's wildcard `*` (`@Allow()`: any value, no message) to WeCom id
 * `fields`, given in class-validator's order for that class (ids.spec.ts holds it: for a grandchild of SuiteParams it
 * is the grandparent's field first).
 */
export function withWildcard(...fields: string[]): (value: Record<string, unknown>) => string[] {
  const check = wecomIdFields(...fields);
  return (value) => {
    const { '*': _wildcard, ...ids } = value;
    return check(ids);
  };
}

export class SuiteParams {
  static readonly checkPlain = wecomIdFields('suiteId');

  @ApiProperty({ example: 'wwsuite1234567890' })
  @Matches(WECOM_ID, { message: ID_MESSAGE('suiteId') })
  suiteId: string;
}

export class ProviderParams {
  static readonly checkPlain = wecomIdFields('providerCorpId');

  @ApiProperty({ example: 'wwprovider1234567' })
  @Matches(WECOM_ID, { message: ID_MESSAGE('providerCorpId') })
  providerCorpId: string;
}

export class CorpParams extends SuiteParams {
  static override readonly checkPlain = wecomIdFields('corpId', 'suiteId');

  @ApiProperty({ example: 'wwcorp1234567890' })
  @Matches(WECOM_ID, { message: ID_MESSAGE('corpId') })
  corpId: string;
}
