import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import type { ConsoleUserInfo } from '@app/store';
import { BrowserCookie, readBrowserCookie } from '../common/browser-cookies.js';
import { ConsoleWecomLoginService, decodePendingConsoleWecomLogin } from '../console/console-wecom-login.service.js';

/** The signed cookie holding a console WeCom sign-in in progress (HttpOnly, SameSite=Lax, only on these routes). */
export const CONSOLE_WECOM_LOGIN_COOKIE: BrowserCookie = { name: 'wecom_console_login', path: '/api/v1/console/session/wecom' };

const STATE = /^[A-Za-z0-9]{1,128}$/;

/**
 * People signing in with WeCom (扫码登录), the second strategy beside `local`: WeCom's redirect
 * `?auth_code&state` plus this browser's pending-sign-in cookie → the linked console user as `request.user`.
 * Refusals are thrown as AuthAppError (the route turns them into a message on the sign-in page).
 */
@Injectable()
export class WecomStrategy extends PassportStrategy(Strategy, 'wecom') {
  constructor(private readonly logins: ConsoleWecomLoginService) {
    super();
  }

  async validate(request: FastifyRequest<{ Querystring: Record<string, unknown> }>): Promise<ConsoleUserInfo> {
    const { auth_code: authCode, state } = request.query ?? {};
    const pending = decodePendingConsoleWecomLogin(readBrowserCookie(request, CONSOLE_WECOM_LOGIN_COOKIE));
    return this.logins.signIn(
      typeof authCode === 'string' && authCode.length >= 1 && authCode.length <= 512 ? authCode : undefined,
      typeof state === 'string' && STATE.test(state) ? state : undefined,
      pending,
    );
  }
}
