import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, MaxLength, Min } from 'class-validator';

export class StartInstallQueryDto {
  @ApiPropertyOptional({ description: "The caller's own state; handed back on the success redirect (never sent to WeCom)", maxLength: 256 })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  state?: string;

  @ApiPropertyOptional({ enum: [0, 1], description: '1 = test install (unpublished app), 0 = formal; default: the suite setting' })
  @IsOptional()
  @Type(() => Number)
  @IsIn([0, 1])
  auth_type?: 0 | 1;
}

/** What WeCom appends to `redirect_uri` once the admin approved. */
export class CompleteInstallQueryDto {
  @ApiProperty({ description: 'Single-use, 600 s' })
  @IsString()
  @Length(1, 512)
  auth_code: string;

  @ApiProperty({ description: 'The state of the install link this platform made' })
  @IsString()
  @Matches(/^[A-Za-z0-9]{1,128}$/, { message: 'state must be 1-128 characters [A-Za-z0-9]' })
  state: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  expires_in?: number;
}

/** The completion answer when the suite has no success URL. */
export class InstallResultDto {
  @ApiProperty()
  suiteId: string;

  @ApiProperty()
  corpId: string;

  @ApiProperty({ nullable: true, type: String })
  corpName: string | null;

  @ApiProperty({ enum: ['active', 'cancelled', 'suspended'] })
  status: string;

  @ApiProperty({ nullable: true, type: String, description: "The caller's state given to /install" })
  state: string | null;
}
