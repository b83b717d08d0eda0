import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiFoundResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiSeeOtherResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { AuthAppError } from '../auth-errors.js';
import { BrowserCookie, clearBrowserCookie, readBrowserCookie, setBrowserCookie } from '../common/browser-cookies.js';
import { ErrorDto } from '../common/error.dto.js';
import { SuiteParams } from '../common/ids.js';
import { WecomRedirectQuery } from '../common/lenient-query.decorator.js';
import { withQuery } from '../common/redirect-url.js';
import { renderInstallDonePage, renderInstallPage, renderInstallPendingPage } from './install-page.js';
import { CompleteInstallQueryDto, InstallResultDto, StartInstallQueryDto } from './install.dto.js';
import { InstallService } from './install.service.js';

/**
 * Browser routes: no API key. The page costs nothing; its button (a same-site POST) spends the WeCom calls and
 * leaves a signed cookie naming the install's state, which the completion must come back with.
 */
@ApiTags('install')
@Controller('install/:suiteId')
export class InstallController {
  private readonly secureCookies: boolean;

  constructor(
    private readonly installs: InstallService,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {
    this.secureCookies = new URL(config.PUBLIC_BASE_URL).protocol === 'https:';
  }

  @Get()
  @ApiOperation({ summary: 'The install page: the suite, and the button that starts the install (no WeCom call until it is pressed)' })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'HTML page with a form posting to /install/{suiteId}/start' })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'suite_not_found' })
  async page(@Param() params: SuiteParams, @Query() query: StartInstallQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const content = await this.installs.page(params.suiteId);
    const action = withQuery(`${this.config.PUBLIC_BASE_URL}/install/${encodeURIComponent(params.suiteId)}/start`, {
      state: query.state,
      auth_type: query.auth_type === undefined ? undefined : String(query.auth_type),
    });
    await reply
      .code(200)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      // WeCom checks the install request's Referer against the registered domain: send at least our origin.
      .header('referrer-policy', 'strict-origin-when-cross-origin')
      // The button must be pressed on our page, not in someone else's frame.
      .header('content-security-policy', "frame-ancestors 'none'")
      .header('x-frame-options', 'DENY')
      .send(renderInstallPage({ ...content, action }));
  }

  @Post('start')
  @HttpCode(303)
  @ApiOperation({ summary: "The install page's button: pre_auth_code + set_session_info, a session cookie, 303 to WeCom's install page" })
  @ApiSeeOtherResponse({ description: 'Location: {WECOM_INSTALL_BASE}/3rdapp/install?suite_id&pre_auth_code&redirect_uri&state' })
  @ApiForbiddenResponse({ type: ErrorDto, description: 'cross_site_request: not posted from our install page' })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'suite_not_found' })
  async start(@Param() params: SuiteParams, @Query() query: StartInstallQueryDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    this.refuseCrossSite(request);
    const started = await this.installs.start(params.suiteId, { callerState: query.state, authType: query.auth_type });
    setBrowserCookie(reply, installCookie(params.suiteId), started.state, started.ttlSeconds, this.secureCookies);
    await reply
      .code(303)
      .header('location', started.location)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'strict-origin-when-cross-origin')
      .send();
  }

  @Get('complete')
  @ApiOperation({ summary: "WeCom's redirect after approval: exchange the auth_code, then 302 to the suite's success URL (or a page for a browser, JSON for others)" })
  @ApiFoundResponse({ description: 'Location: the success URL with suite_id, corp_id and the caller state' })
  @ApiOkResponse({ type: InstallResultDto, description: 'When the suite has no success URL (Accept: text/html: a success page instead)' })
  @ApiAcceptedResponse({ description: 'Recorded; WeCom has not answered yet. A page (or `{ status: "installing" }`) that asks again after Retry-After' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_install_state, invalid_auth_code, or a missing parameter' })
  @ApiQuery({ type: CompleteInstallQueryDto })
  async complete(
    @Param() params: SuiteParams,
    @WecomRedirectQuery() query: CompleteInstallQueryDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const cookie = installCookie(params.suiteId);
    const outcome = await this.installs.complete(params.suiteId, query.auth_code, query.state, readBrowserCookie(request, cookie));
    if ('pending' in outcome) {
      // WeCom has not answered yet; the worker keeps trying. Asking again (a reload) is harmless.
      await reply
        .code(202)
        .header('cache-control', 'no-store')
        .header('retry-after', String(PENDING_RETRY_SECONDS))
        .header('refresh', String(PENDING_RETRY_SECONDS))
        .type(wantsHtml(request) ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8')
        .send(wantsHtml(request) ? renderInstallPendingPage(PENDING_RETRY_SECONDS) : { status: 'installing', retryAfterSeconds: PENDING_RETRY_SECONDS });
      return;
    }
    clearBrowserCookie(reply, cookie, this.secureCookies);
    if ('redirect' in outcome) {
      await reply.code(302).header('location', outcome.redirect).header('cache-control', 'no-store').send();
    } else if (wantsHtml(request)) {
      // No success URL to send the browser on to: it ends here, on a page rather than raw JSON.
      await reply.code(200).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(renderInstallDonePage(outcome.result.corpName));
    } else {
      await reply.code(200).header('cache-control', 'no-store').send(outcome.result);
    }
  }

  /**
   * The button's POST must come from our own page: browsers send `Origin` with every POST (and `Referer`), so a form
   * on another site — which could otherwise make visitors spend our WeCom quota — is refused.
   */
  private refuseCrossSite(request: FastifyRequest): void {
    const ours = new URL(this.config.PUBLIC_BASE_URL).origin;
    const origin = request.headers.origin ?? originOf(request.headers.referer);
    if (origin !== ours) throw new AuthAppError('cross_site_request', 'an install starts with the button on our install page');
  }
}

/** How often the waiting page asks again, seconds. */
const PENDING_RETRY_SECONDS = 2;

function wantsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/html');
}

/** One cookie per suite, so installs of two suites in one browser do not overwrite each other. */
function installCookie(suiteId: string): BrowserCookie {
  return { name: `wecom_install_${suiteId}`, path: `/install/${suiteId}` };
}

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
