import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

/** WeCom suite ids and corp ids (plain or open): letters, digits, `_` and `-`, at most 64. */
export const WECOM_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ID_MESSAGE = (name: string) => `${name} must be 1-64 characters [A-Za-z0-9_-]`;

export class SuiteParams {
  @ApiProperty({ example: 'wwsuite1234567890' })
  @Matches(WECOM_ID, { message: ID_MESSAGE('suiteId') })
  suiteId: string;
}

export class CorpParams extends SuiteParams {
  @ApiProperty({ example: 'wwcorp1234567890' })
  @Matches(WECOM_ID, { message: ID_MESSAGE('corpId') })
  corpId: string;
}
