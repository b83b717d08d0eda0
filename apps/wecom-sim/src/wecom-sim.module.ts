import { DynamicModule, Module } from '@nestjs/common';
import { SimCore } from './core/sim-core.js';
import { BrowserController } from './http/browser.controller.js';
import { BusinessApiController } from './http/business-api.controller.js';
import { ControlSuitesController } from './http/control-suites.controller.js';
import { ControlProvidersController } from './http/control-providers.controller.js';
import { ControlProviderStaffController } from './http/control-provider-staff.controller.js';
import { CustomizedAppController } from './http/customized-app.controller.js';
import { ControlTrafficController } from './http/control-traffic.controller.js';
import { LicenseController } from './http/license.controller.js';
import { WecomApiController } from './http/wecom-api.controller.js';

@Module({})
export class WecomSimModule {
  static register(core: SimCore): DynamicModule {
    return {
      module: WecomSimModule,
      controllers: [WecomApiController, BrowserController, ControlSuitesController, ControlTrafficController, ControlProvidersController, ControlProviderStaffController, CustomizedAppController, BusinessApiController, LicenseController],
      providers: [{ provide: SimCore, useValue: core }],
    };
  }
}
