import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import { ConsoleUserInfo, ConsoleUserRepository } from '@app/store';

/** People signing in: `{ username, password }` checked against the scrypt hash → the user as `request.user`. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly users: ConsoleUserRepository) {
    super();
  }

  async validate(username: string, password: string): Promise<ConsoleUserInfo | false> {
    if (username.length > 64 || password.length > 256) return false;
    return (await this.users.verify(username, password)) ?? false;
  }
}
