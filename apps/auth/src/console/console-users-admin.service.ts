import { BadRequestException, Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { ConsoleRole, ConsoleUserExistsError, ConsoleUserInfo, ConsoleUserRepository, WecomIdentityLinkedError } from '@app/store';
import { AuthAppError } from '../auth-errors.js';
import { decodeCursor, Page, pageOf } from '../common/page.js';
import type { RevokedSessionsDto } from './console-user.dto.js';

/** Console users for the admin API; passwords go in, hashes never come out. */
@Injectable()
export class ConsoleUsersAdminService {
  private readonly logger = new Logger('Admin');

  constructor(
    private readonly users: ConsoleUserRepository,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  async create(username: string, password: string, role: ConsoleRole): Promise<ConsoleUserInfo> {
    try {
      const user = await this.users.create(username, password, role);
      this.logger.log({ msg: 'console user created', consoleUserId: user.id, role });
      return user;
    } catch (err) {
      if (err instanceof ConsoleUserExistsError) throw new AuthAppError('console_user_exists', `console user ${username.toLowerCase()} exists`);
      throw err;
    }
  }

  list(limit: number | undefined, cursor: string | undefined): Promise<Page<ConsoleUserInfo>> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor, ['username']).username;
    return pageOf(limit, (take) => this.users.page(take, after), (u) => u, (u) => ({ username: u.username }));
  }

  async update(id: string, change: { role?: ConsoleRole; password?: string; disabled?: boolean }): Promise<ConsoleUserInfo> {
    const user = await this.users.update(id, change);
    if (!user) throw notFound(id);
    this.logger.log({ msg: 'console user changed', consoleUserId: id, role: change.role, disabled: change.disabled, passwordChanged: change.password !== undefined });
    return user;
  }

  /**
   * Links the WeCom member who may sign in as this user (扫码登录). `corpId` defaults to the configured sign-in
   * provider corp; without one configured it is required (400). Errors: console_user_not_found, wecom_identity_linked.
   */
  async linkWecom(id: string, userId: string, corpId: string | undefined): Promise<ConsoleUserInfo> {
    const corp = corpId ?? this.config.CONSOLE_WECOM_LOGIN_PROVIDER_CORPID;
    if (!corp) throw new BadRequestException('corpId is required: no WeCom sign-in provider is configured (CONSOLE_WECOM_LOGIN_PROVIDER_CORPID)');
    try {
      const user = await this.users.linkWecom(id, corp, userId);
      if (!user) throw notFound(id);
      this.logger.log({ msg: 'console user linked to WeCom', consoleUserId: id, corpId: corp });
      return user;
    } catch (err) {
      if (err instanceof WecomIdentityLinkedError) throw new AuthAppError('wecom_identity_linked', `WeCom user ${userId} of corp ${corp} is already linked to another console user`);
      throw err;
    }
  }

  /** Removes the WeCom link; the sessions opened with WeCom end, password sessions stay. */
  async unlinkWecom(id: string): Promise<ConsoleUserInfo> {
    const user = await this.users.unlinkWecom(id);
    if (!user) throw notFound(id);
    this.logger.log({ msg: 'console user unlinked from WeCom', consoleUserId: id });
    return user;
  }

  async revokeSessions(id: string): Promise<RevokedSessionsDto> {
    if (!(await this.users.find(id))) throw notFound(id);
    const revoked = await this.users.revokeSessionsOf(id);
    this.logger.log({ msg: 'console sessions revoked', consoleUserId: id, revoked });
    return { revoked };
  }
}

function notFound(id: string): AuthAppError {
  return new AuthAppError('console_user_not_found', `no console user ${id}`);
}
