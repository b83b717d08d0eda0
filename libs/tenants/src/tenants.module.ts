import { Global, Module } from '@nestjs/common';
import { CorpAuthorizationService } from './corp-authorization.service.js';

/** The tenant lifecycle (CorpAuthorizationService). Needs TokensModule and StoreModule (both global). */
@Global()
@Module({ providers: [CorpAuthorizationService], exports: [CorpAuthorizationService] })
export class TenantsModule {}
