import { Global, Module } from '@nestjs/common';
import { CorpAuthorizationService } from './corp-authorization.service.js';
import { LicenseService } from './license.service.js';

/** The tenant lifecycle (CorpAuthorizationService) and account licenses (LicenseService). Needs TokensModule and StoreModule (both global). */
@Global()
@Module({ providers: [CorpAuthorizationService, LicenseService], exports: [CorpAuthorizationService, LicenseService] })
export class TenantsModule {}
