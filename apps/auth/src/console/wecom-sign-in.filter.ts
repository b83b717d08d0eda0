import { randomUUID } from 'node:crypto';
import { ArgumentsHost, Catch, ExceptionFilter, Inject, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { toAuthAppError } from '../auth-errors.js';
import { CONSOLE_WECOM_LOGIN_COOKIE } from '../access/wecom.strategy.js';
import { clearBrowserCookie } from '../common/browser-cookies.js';
import { WecomSignInRefusal } from './console-wecom-login.service.js';

/**
 * The WeCom sign-in routes are browser navigations, not API calls: a refusal goes back to the console's sign-in
 * page as `/console/login?wecom_error=<code>[&wecom_user=<userid>]`, which shows it in the person's language. An
 * unexpected failure does the same with `wecom_error=internal&error_id=<uuid>`, the id also in the log line. The
 * pending-sign-in cookie is cleared either way: a state is good for one try.
 */
@Catch()
export class WecomSignInRedirectFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');
  private readonly secure: boolean;

  constructor(@Inject(APP_CONFIG) private readonly config: AuthConfig) {
    this.secure = new URL(config.PUBLIC_BASE_URL).protocol === 'https:';
  }

  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (reply.sent) return;
    const query = new URLSearchParams();
    const named = toAuthAppError(err);
    if (named) {
      query.set('wecom_error', named.code);
      if (err instanceof WecomSignInRefusal && err.wecomUserId) query.set('wecom_user', err.wecomUserId);
    } else {
      const errorId = randomUUID();
      this.logger.error({ msg: 'unhandled error', errorId, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
      query.set('wecom_error', 'internal');
      query.set('error_id', errorId);
    }
    clearBrowserCookie(reply, CONSOLE_WECOM_LOGIN_COOKIE, this.secure);
    void reply.code(302).header('location', `${this.config.PUBLIC_BASE_URL}/console/login?${query.toString()}`).header('cache-control', 'no-store').send();
  }
}
