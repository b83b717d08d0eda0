import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { CONSOLE_ROLES } from '@app/store';

const USERNAME = /^[A-Za-z0-9._@-]{3,64}$/;

export class LoginDto {
  @ApiProperty({ example: 'ops-li' })
  @IsString()
  @Length(1, 64)
  username: string;

  @ApiProperty({ writeOnly: true })
  @IsString()
  @Length(1, 256)
  password: string;
}

export class ConsoleUserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() username: string;
  @ApiProperty({ enum: CONSOLE_ROLES }) role: string;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: Date }) lastLoginAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) disabledAt: Date | null;
  @ApiProperty({ nullable: true, type: String, description: 'Linked WeCom identity: the corp (get_login_info corp_info.corpid)' }) wecomCorpId: string | null;
  @ApiProperty({ nullable: true, type: String, description: "Linked WeCom identity: the member's userid in that corp (user_info.userid)" }) wecomUserId: string | null;
}

export class ConsoleSessionDto {
  @ApiProperty({ type: ConsoleUserDto }) user: ConsoleUserDto;
  @ApiProperty({ description: 'Send back in X-CSRF-Token on every POST, PATCH and DELETE made with this session' }) csrfToken: string;
  @ApiProperty() expiresAt: Date;
  @ApiProperty({ enum: ['password', 'wecom'], description: 'How this session was opened' }) method: 'password' | 'wecom';
}

export class SignInMethodsDto {
  @ApiProperty({ description: 'Username and password (always)' }) password: boolean;
  @ApiProperty({ description: 'Sign in with WeCom (扫码登录): on when CONSOLE_WECOM_LOGIN_PROVIDER_CORPID is set' }) wecom: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'The provider corp whose staff may sign in with WeCom (the corp of every link)' }) wecomCorpId: string | null;
}

export class LinkWecomDto {
  @ApiProperty({ example: 'zhangsan', description: "The member's userid in the corp, as WeCom's address book (通讯录) shows it" })
  @Matches(/^[A-Za-z0-9_@.-]{1,64}$/, { message: 'userId must be 1-64 characters [A-Za-z0-9_@.-] (a WeCom userid)' })
  userId: string;

  @ApiPropertyOptional({ example: 'wwprovider1234567', description: 'The corp; default: the configured sign-in provider corp (CONSOLE_WECOM_LOGIN_PROVIDER_CORPID)' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'corpId must be 1-64 characters [A-Za-z0-9_-]' })
  corpId?: string;
}

export class CreateConsoleUserDto {
  @ApiProperty({ example: 'ops-li', description: '3-64 characters: letters, digits, . _ @ -; stored lower-case' })
  @Matches(USERNAME, { message: 'username must be 3-64 characters [A-Za-z0-9._@-]' })
  username: string;

  @ApiProperty({ writeOnly: true, description: 'At least 12 characters; stored as a scrypt hash' })
  @IsString()
  @Length(12, 256, { message: 'password must be 12-256 characters' })
  password: string;

  @ApiProperty({ enum: CONSOLE_ROLES })
  @IsIn(CONSOLE_ROLES)
  role: 'admin' | 'operator' | 'viewer';
}

export class UpdateConsoleUserDto {
  @ApiPropertyOptional({ enum: CONSOLE_ROLES })
  @IsOptional()
  @IsIn(CONSOLE_ROLES)
  role?: 'admin' | 'operator' | 'viewer';

  @ApiPropertyOptional({ writeOnly: true, description: 'A new password, at least 12 characters' })
  @IsOptional()
  @IsString()
  @Length(12, 256, { message: 'password must be 12-256 characters' })
  password?: string;

  @ApiPropertyOptional({ description: 'true disables the user (and ends their sessions); false enables' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

export class ConsoleUserParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}

export class ConsoleUserPageDto {
  @ApiProperty({ type: [ConsoleUserDto] }) items: ConsoleUserDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class RevokedSessionsDto {
  @ApiProperty({ description: 'How many live sessions were ended' }) revoked: number;
}
