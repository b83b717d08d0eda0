import { Controller, Get, Headers, Inject, Logger, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { QueryParams, queryParam } from '../core/params.js';
import { SimCore } from '../core/sim-core.js';
import { ControlError, WecomError } from '../core/wecom-error.js';
import { errorPage, isHttpUrl, withQuery } from './html.js';

/**
 * The browser-facing pages of WeCom, acting as the person in front of them: the install page approves at
 * once as the enterprise admin, the OAuth page and the provider login page sign in as a corp's user.
 * `sim_corp_id` / `sim_user_id` choose who; they are simulator extensions WeCom does not have.
 */
@Controller()
export class BrowserController {
  private readonly logger = new Logger('WecomSim');

  constructor(@Inject(SimCore) private readonly core: SimCore) {}

  /**
   * open.work.weixin.qq.com/3rdapp/install?suite_id&pre_auth_code&redirect_uri&state. As in WeCom, the request must
   * come from a click on a page of the suite's 授权发起域名 (its Referer): a typed-in address, a server-side redirect
   * without a referring page or a QR code fails with 校验请求来源错误.
   */
  @Get('/3rdapp/install')
  install(@Query() query: QueryParams, @Headers('referer') referer: string | undefined, @Res() reply: FastifyReply): void {
    const suiteId = queryParam(query, 'suite_id');
    const preAuthCode = queryParam(query, 'pre_auth_code');
    const redirectUri = queryParam(query, 'redirect_uri');
    const state = queryParam(query, 'state') ?? '';
    const suite = suiteId ? this.core.state.suite(suiteId) : undefined;
    if (!suite) return this.fail(reply, '安装失败', `unknown suite_id ${suiteId ?? '(missing)'}`);
    if (!isHttpUrl(redirectUri)) return this.fail(reply, '安装失败', 'redirect_uri must be an http(s) URL');
    if (!preAuthCode) return this.fail(reply, '安装失败', 'pre_auth_code missing');
    if (!refererHostIs(referer, suite.installDomain)) {
      return this.fail(reply, '安装失败', '校验请求来源错误: the install must be started from a page on the registered 授权发起域名');
    }
    try {
      const preAuth = this.core.service.preAuthCode(suite.suiteId, preAuthCode);
      const result = this.core.installs.install(suite, {
        corpId: queryParam(query, 'sim_corp_id'),
        corpName: queryParam(query, 'sim_corp_name'),
        state,
        authType: preAuth.authType,
      });
      // No create_auth: WeCom pushes it only for installs from the app market and QR codes (授权通知事件). For an
      // install started from the vendor's link, this redirect is the only signal.
      this.logger.log(`install: suite ${suite.suiteId} authorized by corp ${result.corp.corpId}`);
      this.redirect(reply, withQuery(redirectUri, { auth_code: result.authCode, state, expires_in: String(result.expiresIn) }));
    } catch (err) {
      if (err instanceof WecomError || err instanceof ControlError) return this.fail(reply, '安装失败', err.message);
      throw err;
    }
  }

  /** open.weixin.qq.com/connect/oauth2/authorize?appid=SUITE_ID&redirect_uri&response_type=code&scope&state */
  @Get('/connect/oauth2/authorize')
  authorize(@Query() query: QueryParams, @Res() reply: FastifyReply): void {
    const appId = queryParam(query, 'appid');
    const redirectUri = queryParam(query, 'redirect_uri');
    // Third-party apps: appid = the suite id. 代开发 apps: appid = the corp's id and agentid = the app's (its own OAuth).
    const customized = appId ? this.core.customized.templateOfAgent(appId, queryParam(query, 'agentid')) : undefined;
    const suite = customized ?? (appId ? this.core.state.suite(appId) : undefined);
    if (!suite) return this.fail(reply, '授权失败', `unknown appid ${appId ?? '(missing)'}`);
    if (!isHttpUrl(redirectUri)) return this.fail(reply, '授权失败', 'redirect_uri must be an http(s) URL');
    if (queryParam(query, 'response_type') !== 'code') return this.fail(reply, '授权失败', 'response_type must be code');
    const scope = queryParam(query, 'scope') ?? 'snsapi_base';
    if (scope !== 'snsapi_base' && scope !== 'snsapi_privateinfo') return this.fail(reply, '授权失败', 'scope must be snsapi_base or snsapi_privateinfo');
    try {
      const { code } = this.core.identity.issueOauthCode(suite, scope, { corpId: customized ? appId : queryParam(query, 'sim_corp_id'), userId: queryParam(query, 'sim_user_id') });
      this.redirect(reply, withQuery(redirectUri, { code, state: queryParam(query, 'state') ?? '' }));
    } catch (err) {
      if (err instanceof ControlError) return this.fail(reply, '授权失败', err.message);
      throw err;
    }
  }

  /** open.work.weixin.qq.com/wwopen/sso/3rd_qrConnect?appid=PROVIDER_CORPID&redirect_uri&state&usertype */
  @Get('/wwopen/sso/3rd_qrConnect')
  providerLogin(@Query() query: QueryParams, @Res() reply: FastifyReply): void {
    const providerCorpId = queryParam(query, 'appid');
    const redirectUri = queryParam(query, 'redirect_uri');
    if (!providerCorpId) return this.fail(reply, '登录失败', 'appid missing');
    if (!isHttpUrl(redirectUri)) return this.fail(reply, '登录失败', 'redirect_uri must be an http(s) URL');
    try {
      const asked = { corpId: queryParam(query, 'sim_corp_id'), userId: queryParam(query, 'sim_user_id') };
      // No sim_* parameters: whoever a test said scans next (POST /sim/providers/:corpId/next-scan), else the default.
      const choice = asked.corpId || asked.userId ? asked : (this.core.providerStaff.takeNextScan(providerCorpId) ?? asked);
      const { authCode } = this.core.identity.issueLoginCode(providerCorpId, choice);
      this.redirect(reply, withQuery(redirectUri, { auth_code: authCode, state: queryParam(query, 'state') ?? '' }));
    } catch (err) {
      if (err instanceof ControlError) return this.fail(reply, '登录失败', err.message);
      throw err;
    }
  }

  private redirect(reply: FastifyReply, location: string): void {
    void reply.code(302).header('location', location).send();
  }

  private fail(reply: FastifyReply, title: string, message: string): void {
    void reply.code(400).type('text/html; charset=utf-8').send(errorPage(title, message));
  }
}

/** The Referer's host is the registered install domain (or a subdomain of it); false when either is missing. */
function refererHostIs(referer: string | undefined, domain: string | undefined): boolean {
  if (!referer || !domain) return false;
  let host: string;
  try {
    host = new URL(referer).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === domain || host.endsWith(`.${domain}`);
}
