import { Injectable, Logger } from '@nestjs/common';
import { ConsoleRole, ConsoleUserExistsError, ConsoleUserInfo, ConsoleUserRepository } from '@app/store';
import { AuthAppError } from '../auth-errors.js';
import { decodeCursor, Page, pageOf } from '../common/page.js';
import type { RevokedSessionsDto } from './console-user.dto.js';

/** Console users for the admin API; passwords go in, hashes never come out. */
@Injectable()
export class ConsoleUsersAdminService {
  private readonly logger = new Logger('Admin');

  constructor(private readonly users: ConsoleUserRepository) {}

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
