import { DynamicModule, Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import type { AuthConfig } from '@app/config';
import { appModule, HealthModule } from '@app/platform';
import { RedisHealthCheck } from '@app/queues';
import { DatabaseHealthCheck } from '@app/store';
import { TenantsModule } from '@app/tenants';
import { TokensModule } from '@app/tokens';
import { AdminAccessGuard } from './access/admin-access.guard.js';
import { ApiKeyCache } from './access/api-key-cache.js';
import { ApiKeyStrategy } from './access/api-key.strategy.js';
import { ConsoleSessionStrategy } from './access/console-session.strategy.js';
import { LocalStrategy } from './access/local.strategy.js';
import { WecomStrategy } from './access/wecom.strategy.js';
import { ApiKeyAuthGuard, ScopeGuard } from './access/scope.guard.js';
import { AdminApiKeysController } from './admin/admin-api-keys.controller.js';
import { AdminCorpsController } from './admin/admin-corps.controller.js';
import { AdminLicensesController } from './admin/admin-licenses.controller.js';
import { AdminEventsController } from './admin/admin-events.controller.js';
import { AdminOverviewController } from './admin/admin-overview.controller.js';
import { AdminSuiteSetupController } from './admin/admin-suite-setup.controller.js';
import { AdminTenantsController } from './admin/admin-tenants.controller.js';
import { CorpTokensAdminService } from './admin/corp-tokens-admin.service.js';
import { OverviewService } from './admin/overview.service.js';
import { SuiteSetupService } from './admin/suite-setup.service.js';
import { AdminSuitesController } from './admin/admin-suites.controller.js';
import { ApiKeysAdminService } from './admin/api-keys-admin.service.js';
import { CorpsAdminService } from './admin/corps-admin.service.js';
import { EventsAdminService } from './admin/events-admin.service.js';
import { SuitesAdminService } from './admin/suites-admin.service.js';
import { AuthMetrics } from './auth-metrics.js';
import { AdminConsoleUsersController } from './console/admin-console-users.controller.js';
import { ConsoleSessionController } from './console/console-session.controller.js';
import { ConsoleSignInMethodsController, ConsoleWecomSessionController } from './console/console-wecom-session.controller.js';
import { ConsoleWecomLoginService } from './console/console-wecom-login.service.js';
import { ConsoleUsersAdminService } from './console/console-users-admin.service.js';
import { LoginGuard } from './console/login.guard.js';
import { AdminGatewayUsageController } from './gateway/admin-gateway-usage.controller.js';
import { GatewayLimits } from './gateway/gateway-limits.js';
import { LocalTokens } from './gateway/local-tokens.js';
import { GatewayController } from './gateway/gateway.controller.js';
import { GatewayService } from './gateway/gateway.service.js';
import { ProviderGatewayController } from './gateway/provider-gateway.controller.js';
import { IdConvertController, ProviderIdConvertController } from './gateway/id-convert.controller.js';
import { IdConvertService } from './gateway/id-convert.service.js';
import { InstallController } from './install/install.controller.js';
import { InstallService } from './install/install.service.js';
import { LinkInstallService } from './install/link-install.service.js';
import { LoginTokenController } from './oauth/login-token.controller.js';
import { LoginTokenSigner } from './oauth/login-token.js';
import { OAuthStateStore } from './oauth/oauth-state.store.js';
import { OAuthController } from './oauth/oauth.controller.js';
import { OAuthService } from './oauth/oauth.service.js';
import { InvalidationLimiter } from './token-api/invalidation-limiter.js';
import { HttpRateLimits } from './common/http-rate-limits.js';
import { JssdkService } from './token-api/jssdk.service.js';
import { TokenApiController } from './token-api/token-api.controller.js';
import { ProviderTokenController } from './token-api/provider-token.controller.js';
import { AdminProvidersController } from './admin/admin-providers.controller.js';
import { AdminCorpCallbackKeysController } from './admin/admin-corp-callback-keys.controller.js';
import { ProviderLoginController, ProviderLoginTokenController } from './provider-login/provider-login.controller.js';
import { ProviderLoginService } from './provider-login/provider-login.service.js';
import { ProvidersAdminService } from './admin/providers-admin.service.js';
import { TokenApiService } from './token-api/token-api.service.js';
import { webhookControllers, webhookProviders } from './webhooks/webhook-providers.js';

/** The auth app; `forRoot(config)` adds the infrastructure (producer Redis), tokens, tenants and /health. */
@Module({
  controllers: [
    InstallController,
    OAuthController,
    LoginTokenController,
    TokenApiController,
    GatewayController,
    ProviderGatewayController,
    AdminGatewayUsageController,
    IdConvertController,
    ProviderIdConvertController,
    ProviderTokenController,
    AdminProvidersController,
    AdminCorpCallbackKeysController,
    ProviderLoginController,
    ProviderLoginTokenController,
    AdminSuitesController,
    AdminCorpsController,
    AdminLicensesController,
    AdminEventsController,
    AdminApiKeysController,
    AdminOverviewController,
    AdminTenantsController,
    AdminSuiteSetupController,
    AdminConsoleUsersController,
    ConsoleSessionController,
    ConsoleWecomSessionController,
    ConsoleSignInMethodsController,
    ...webhookControllers,
  ],
  providers: [
    ProvidersAdminService,
    ProviderLoginService,
    ApiKeyStrategy,
    ApiKeyCache,
    ApiKeyAuthGuard,
    ScopeGuard,
    InstallService,
    LinkInstallService,
    OAuthService,
    OAuthStateStore,
    TokenApiService,
    JssdkService,
    HttpRateLimits,
    InvalidationLimiter,
    GatewayLimits,
    LocalTokens,
    GatewayService,
    IdConvertService,
    SuitesAdminService,
    CorpsAdminService,
    EventsAdminService,
    ApiKeysAdminService,
    ConsoleSessionStrategy,
    LocalStrategy,
    WecomStrategy,
    ConsoleWecomLoginService,
    AdminAccessGuard,
    LoginGuard,
    OverviewService,
    SuiteSetupService,
    CorpTokensAdminService,
    ConsoleUsersAdminService,
    ...webhookProviders,
  ],
})
export class AuthModule {
  static forRoot(config: AuthConfig): DynamicModule {
    const imports = [PassportModule, TokensModule.forConfig(config, { metrics: AuthMetrics }), TenantsModule, HealthModule.forRoot({ checks: [DatabaseHealthCheck, RedisHealthCheck] })];
    const signer = new LoginTokenSigner(config.SECRET_KEY, config.SECRET_KEYS_OLD);
    return appModule(AuthModule, config, 'producer', { imports, providers: [{ provide: LoginTokenSigner, useValue: signer }] });
  }
}
