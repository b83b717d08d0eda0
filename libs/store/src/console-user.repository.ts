import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ConsoleRole, ConsoleSignInMethod } from './generated/prisma/enums.js';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './password-hash.js';
import { PrismaService } from './prisma.service.js';

export type { ConsoleRole, ConsoleSignInMethod };
export const CONSOLE_ROLES: readonly ConsoleRole[] = ['admin', 'operator', 'viewer'];

/** A console user as anyone may see it: never the password hash. */
export interface ConsoleUserInfo {
  id: string;
  username: string;
  role: ConsoleRole;
  createdAt: Date;
  lastLoginAt: Date | null;
  disabledAt: Date | null;
  /** the WeCom identity linked by an admin (get_login_info's corp_info.corpid, user_info.userid), or both null */
  wecomCorpId: string | null;
  wecomUserId: string | null;
}

/** What a session cookie resolves to. */
export interface ConsoleSessionInfo {
  sessionId: string;
  csrfToken: string;
  expiresAt: Date;
  /** how this session was opened */
  method: ConsoleSignInMethod;
  user: ConsoleUserInfo;
}

export class ConsoleUserExistsError extends Error {
  override readonly name = 'ConsoleUserExistsError';
}

/** The WeCom identity is already linked to another console user (one person, one console user). */
export class WecomIdentityLinkedError extends Error {
  override readonly name = 'WecomIdentityLinkedError';
}

const select = { id: true, username: true, role: true, createdAt: true, lastLoginAt: true, disabledAt: true, wecomCorpId: true, wecomUserId: true };
/** lastSeenAt is bookkeeping: written at most this often per session. */
const TOUCH_INTERVAL_MS = 60_000;

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Console users (people) and their sessions. Usernames are compared lower-cased. */
@Injectable()
export class ConsoleUserRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Throws ConsoleUserExistsError when the username is taken. */
  async create(username: string, password: string, role: ConsoleRole): Promise<ConsoleUserInfo> {
    const passwordHash = await hashPassword(password);
    try {
      return await this.prisma.client.consoleUser.create({ data: { username: username.toLowerCase(), passwordHash, role }, select });
    } catch (err) {
      if ((err as { code?: string }).code === 'P2002') throw new ConsoleUserExistsError(`console user ${username} exists`);
      throw err;
    }
  }

  /** The user whose password this is, or null (unknown, disabled or wrong password; the caller cannot tell which). */
  async verify(username: string, password: string): Promise<ConsoleUserInfo | null> {
    const row = await this.prisma.client.consoleUser.findUnique({ where: { username: username.toLowerCase() } });
    const ok = await verifyPassword(password, row?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!row || !ok || row.disabledAt) return null;
    const { passwordHash: _hash, updatedAt: _updated, ...info } = row;
    return info;
  }

  async find(id: string): Promise<ConsoleUserInfo | null> {
    return this.prisma.client.consoleUser.findUnique({ where: { id }, select });
  }

  async findByUsername(username: string): Promise<ConsoleUserInfo | null> {
    return this.prisma.client.consoleUser.findUnique({ where: { username: username.toLowerCase() }, select });
  }

  /** The console user linked to this WeCom identity, disabled or not (the caller says which refusal), or null. */
  async findByWecom(corpId: string, userId: string): Promise<ConsoleUserInfo | null> {
    return this.prisma.client.consoleUser.findUnique({ where: { wecomCorpId_wecomUserId: { wecomCorpId: corpId, wecomUserId: userId } }, select });
  }

  /**
   * Links a WeCom identity (corpid + userid, as get_login_info answers them) to a user, replacing any earlier link;
   * the sessions opened with the earlier identity end. Null for an unknown id; WecomIdentityLinkedError when
   * another user holds the identity.
   */
  async linkWecom(id: string, corpId: string, userId: string): Promise<ConsoleUserInfo | null> {
    const current = await this.find(id);
    if (!current) return null;
    const changed = current.wecomCorpId !== null && (current.wecomCorpId !== corpId || current.wecomUserId !== userId);
    try {
      await this.prisma.client.$transaction([
        this.prisma.client.consoleSession.updateMany({ where: { userId: id, method: 'wecom', revokedAt: null, ...(changed ? {} : { id: { in: [] } }) }, data: { revokedAt: new Date() } }),
        this.prisma.client.consoleUser.updateMany({ where: { id }, data: { wecomCorpId: corpId, wecomUserId: userId } }),
      ]);
    } catch (err) {
      if ((err as { code?: string }).code === 'P2002') throw new WecomIdentityLinkedError(`WeCom user ${userId} of corp ${corpId} is linked to another console user`);
      throw err;
    }
    return this.find(id);
  }

  /** Removes the WeCom link and ends the sessions opened with it; password sessions stay. Null for an unknown id. */
  async unlinkWecom(id: string): Promise<ConsoleUserInfo | null> {
    const [updated] = await this.prisma.client.$transaction([
      this.prisma.client.consoleUser.updateMany({ where: { id }, data: { wecomCorpId: null, wecomUserId: null } }),
      this.prisma.client.consoleSession.updateMany({ where: { userId: id, method: 'wecom', revokedAt: null }, data: { revokedAt: new Date() } }),
    ]);
    return updated.count ? this.find(id) : null;
  }

  /** Users by username, keyset-paginated. */
  async page(limit: number, afterUsername?: string): Promise<ConsoleUserInfo[]> {
    return this.prisma.client.consoleUser.findMany({
      where: afterUsername ? { username: { gt: afterUsername } } : undefined,
      select,
      orderBy: { username: 'asc' },
      take: limit,
    });
  }

  async count(): Promise<number> {
    return this.prisma.client.consoleUser.count();
  }

  /**
   * Changes role, password or disabled state; any change ends the user's sessions, so a demoted or disabled
   * person loses access at once. Returns null for an unknown id.
   */
  async update(id: string, change: { role?: ConsoleRole; password?: string; disabled?: boolean }): Promise<ConsoleUserInfo | null> {
    const data: { role?: ConsoleRole; passwordHash?: string; disabledAt?: Date | null } = {};
    if (change.role) data.role = change.role;
    if (change.password !== undefined) data.passwordHash = await hashPassword(change.password);
    if (change.disabled !== undefined) data.disabledAt = change.disabled ? new Date() : null;
    const [updated] = await this.prisma.client.$transaction([
      this.prisma.client.consoleUser.updateMany({ where: { id }, data }),
      this.prisma.client.consoleSession.updateMany({ where: { userId: id, revokedAt: null }, data: { revokedAt: new Date() } }),
    ]);
    return updated.count ? this.find(id) : null;
  }

  /** Opens a session; the token goes in the cookie and is never stored. */
  async openSession(userId: string, ttlMs: number, method: ConsoleSignInMethod = 'password'): Promise<{ token: string; session: ConsoleSessionInfo }> {
    const token = randomBytes(32).toString('base64url');
    const now = new Date();
    await this.prisma.client.consoleUser.update({ where: { id: userId }, data: { lastLoginAt: now } });
    const row = await this.prisma.client.consoleSession.create({
      data: { tokenHash: tokenHash(token), userId, csrfToken: randomBytes(24).toString('base64url'), expiresAt: new Date(now.getTime() + ttlMs), method },
      include: { user: { select } },
    });
    return { token, session: { sessionId: row.id, csrfToken: row.csrfToken, expiresAt: row.expiresAt, method: row.method, user: row.user } };
  }

  /** The live session for a cookie token: not expired, not revoked, its user not disabled. */
  async findSession(token: string): Promise<ConsoleSessionInfo | null> {
    if (token.length > 100) return null;
    const row = await this.prisma.client.consoleSession.findUnique({ where: { tokenHash: tokenHash(token) }, include: { user: { select } } });
    const now = Date.now();
    if (!row || row.revokedAt || row.expiresAt.getTime() <= now || row.user.disabledAt) return null;
    if (now - row.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
      await this.prisma.client.consoleSession.update({ where: { id: row.id }, data: { lastSeenAt: new Date(now) } });
    }
    return { sessionId: row.id, csrfToken: row.csrfToken, expiresAt: row.expiresAt, method: row.method, user: row.user };
  }

  async revokeSession(sessionId: string): Promise<void> {
    await this.prisma.client.consoleSession.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
  }

  /** Ends every session of a user; returns how many were live. */
  async revokeSessionsOf(userId: string): Promise<number> {
    const { count } = await this.prisma.client.consoleSession.updateMany({
      where: { userId, revokedAt: null, expiresAt: { gt: new Date() } },
      data: { revokedAt: new Date() },
    });
    return count;
  }
}
