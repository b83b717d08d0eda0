import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

import { WECOM_ID, WECOM_ID_RULE } from '@app/wecom';

export { WECOM_ID };
/** The validation message for a WeCom id field. */
export const ID_MESSAGE = (name: string): string => `${name} must be ${WECOM_ID_RULE}`;

export class SuiteParams {
  @ApiProperty({ example: 'wwsuite1234567890' })
  @Matches(WECOM_ID, { message: ID_MESSAGE('suiteId') })
  suiteId: string;
}

export class ProviderParams {
  @ApiProperty({ example: 'wwprovider1234567' })
  @Matches(WECOM_ID, { message: ID_MESSAGE('providerCorpId') })
  providerCorpId: string;
}

export class CorpParams extends SuiteParams {
  @ApiProperty({ example: 'wwcorp1234567890' })
  @Matches(WECOM_ID, { message: ID_MESSAGE('corpId') })
  corpId: string;
}
