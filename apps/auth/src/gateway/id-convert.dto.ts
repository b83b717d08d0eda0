import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, Length } from 'class-validator';

export class UserIdsDto {
  @ApiProperty({ type: [String], description: 'userids of the corp (1–1000)', example: ['zhangsan'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  userids: string[];
}

export class ExternalUserIdsDto {
  @ApiProperty({ type: [String], description: 'external_userids as the app had them (1–1000)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @Length(1, 128, { each: true })
  external_userids: string[];

  @ApiPropertyOptional({ description: 'a customer group: converts its members (groupchat/get_new_external_userid)' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  chat_id?: string;
}

export class TmpExternalUserIdsDto {
  @ApiProperty({ description: '1 meeting, 2 form (收集表), … as WeCom lists them' })
  @IsInt()
  business_type: number;

  @ApiProperty({ description: '1 customer, 2 other corp member, 3 …, as WeCom lists them' })
  @IsInt()
  user_type: number;

  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @Length(1, 128, { each: true })
  tmp_external_userids: string[];
}

export class UnionIdDto {
  @ApiProperty()
  @IsString()
  @Length(1, 128)
  unionid: string;

  @ApiProperty({ description: 'the openid from the same mini program or official account' })
  @IsString()
  @Length(1, 128)
  openid: string;

  @ApiPropertyOptional({ description: '0: the mini program/official account belongs to the corp, 1: to the provider', enum: [0, 1] })
  @IsOptional()
  @IsIn([0, 1])
  subject_type?: number;
}

export class CorpIdDto {
  @ApiProperty({ description: "a corp's plain corpid" })
  @IsString()
  @Length(1, 64)
  corpid: string;
}

export class ConvertedIdsDto {
  @ApiProperty({ description: 'input id → converted id', type: 'object', additionalProperties: { type: 'string' } })
  converted: Record<string, string>;

  @ApiProperty({ type: [String], description: 'ids WeCom did not convert (not cached: asked again next time)' })
  invalid: string[];
}

export class UnionIdResultDto {
  @ApiProperty()
  external_userid: string;

  @ApiProperty()
  pending_id: string;
}

export class OpenCorpIdDto {
  @ApiProperty()
  open_corpid: string;
}
