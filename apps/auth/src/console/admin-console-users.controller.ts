import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAccess } from '../access/admin-access.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import { PageQueryDto } from '../common/page.js';
import { ConsoleUserDto, ConsoleUserPageDto, ConsoleUserParams, CreateConsoleUserDto, LinkWecomDto, RevokedSessionsDto, UpdateConsoleUserDto } from './console-user.dto.js';
import { ConsoleUsersAdminService } from './console-users-admin.service.js';

@ApiTags('admin')
@AdminAccess('manage')
@ApiBadRequestResponse({ type: ErrorDto, description: 'Validation errors, one message per bad field' })
@Controller('api/v1/admin/console-users')
export class AdminConsoleUsersController {
  constructor(private readonly users: ConsoleUsersAdminService) {}

  @Post()
  @ApiOperation({ summary: 'Create a console user (a person) with a role: admin, operator or viewer' })
  @ApiCreatedResponse({ type: ConsoleUserDto })
  @ApiConflictResponse({ type: ErrorDto, description: 'console_user_exists' })
  create(@Body() body: CreateConsoleUserDto): Promise<ConsoleUserDto> {
    return this.users.create(body.username, body.password, body.role);
  }

  @Get()
  @ApiOperation({ summary: 'Console users by username (never their password hashes)' })
  @ApiOkResponse({ type: ConsoleUserPageDto })
  list(@Query() query: PageQueryDto): Promise<ConsoleUserPageDto> {
    return this.users.list(query.limit, query.cursor);
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change a user's role or password, or disable them; ends their sessions" })
  @ApiOkResponse({ type: ConsoleUserDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'console_user_not_found' })
  update(@Param() params: ConsoleUserParams, @Body() body: UpdateConsoleUserDto): Promise<ConsoleUserDto> {
    return this.users.update(params.id, body);
  }

  @Put(':id/wecom')
  @ApiOperation({ summary: 'Link the WeCom member (corpid + userid) who may sign in as this user with WeCom (扫码登录); replaces an earlier link' })
  @ApiOkResponse({ type: ConsoleUserDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'console_user_not_found' })
  @ApiConflictResponse({ type: ErrorDto, description: 'wecom_identity_linked: another console user has this WeCom identity' })
  linkWecom(@Param() params: ConsoleUserParams, @Body() body: LinkWecomDto): Promise<ConsoleUserDto> {
    return this.users.linkWecom(params.id, body.userId, body.corpId);
  }

  @Delete(':id/wecom')
  @ApiOperation({ summary: 'Remove the WeCom link; ends the sessions the user opened with WeCom' })
  @ApiOkResponse({ type: ConsoleUserDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'console_user_not_found' })
  unlinkWecom(@Param() params: ConsoleUserParams): Promise<ConsoleUserDto> {
    return this.users.unlinkWecom(params.id);
  }

  @Delete(':id/sessions')
  @ApiOperation({ summary: "End every session of a user (they must sign in again)" })
  @ApiOkResponse({ type: RevokedSessionsDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'console_user_not_found' })
  revokeSessions(@Param() params: ConsoleUserParams): Promise<RevokedSessionsDto> {
    return this.users.revokeSessions(params.id);
  }
}
