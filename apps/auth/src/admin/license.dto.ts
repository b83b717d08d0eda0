import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

const USER_ID = /^[A-Za-z0-9_@.-]{1,64}$/;
const USER_ID_MESSAGE = 'must be a WeCom userid: 1-64 characters [A-Za-z0-9_@.-]';

export class LicenseCountsDto {
  @ApiProperty({ description: 'Accounts bought in paid purchase orders (base + external contact)' })
  seatsBought: number;

  @ApiProperty({ description: 'Accounts bound to a member and not expired' })
  active: number;

  @ApiProperty({ description: 'Active accounts expiring within 30 days' })
  expiringIn30Days: number;

  @ApiProperty({ description: 'Active accounts expiring within 7 days' })
  expiringIn7Days: number;

  @ApiProperty({ description: 'Active accounts expiring within 1 day' })
  expiringIn1Day: number;

  @ApiProperty({ description: 'Accounts past their expiry' })
  expired: number;

  @ApiProperty({ description: 'Members WeCom reported using the app without a license (unlicensed_notify), not licensed since' })
  unlicensedMembers: number;

  @ApiProperty({ description: 'Activation codes held and not bound to a member' })
  freeCodes: number;

  @ApiProperty({ nullable: true, type: Boolean, description: 'Auto-activation (自动激活), null until known' })
  autoActive: boolean | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastReconciledAt: string | null;
}

export class LicenseAccountDto {
  @ApiProperty()
  userId: string;

  @ApiProperty({ enum: [1, 2], description: '1 基础账号 (base), 2 互通账号 (external contact)' })
  type: number;

  @ApiProperty({ format: 'date-time' })
  activeAt: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt: string;
}

export class UnlicensedMemberDto {
  @ApiProperty()
  userId: string;

  @ApiProperty({ description: 'The suite whose app the member opened' })
  suiteId: string;

  @ApiProperty({ format: 'date-time' })
  firstSeenAt: string;

  @ApiProperty({ format: 'date-time' })
  lastSeenAt: string;

  @ApiProperty()
  seenCount: number;
}

export class LicenseOverviewDto {
  @ApiProperty({ description: 'The provider corpid whose licenses these are' })
  providerCorpId: string;

  @ApiProperty({ type: LicenseCountsDto })
  counts: LicenseCountsDto;

  @ApiProperty({ type: [LicenseAccountDto] })
  accounts: LicenseAccountDto[];

  @ApiProperty({ type: [UnlicensedMemberDto] })
  unlicensedMembers: UnlicensedMemberDto[];
}

export class LicenseOrderDto {
  @ApiProperty()
  orderId: string;

  @ApiProperty({ description: '1 new accounts, 2 renewal, 8 multi-corp sub-order' })
  orderType: number;

  @ApiProperty({ description: '0 unpaid, 1 paid, 2 cancelled, 3 expired unpaid, 4 refunding, 5 refunded, 6 refund refused' })
  orderStatus: number;

  @ApiProperty({ description: 'Fen (分)' })
  price: number;

  @ApiProperty()
  baseCount: number;

  @ApiProperty()
  externalContactCount: number;

  @ApiProperty()
  durationMonths: number;

  @ApiProperty()
  durationDays: number;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  createdAt: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  paidAt: string | null;
}

export class LicenseOrderListDto {
  @ApiProperty({ type: [LicenseOrderDto] })
  orders: LicenseOrderDto[];
}

export class CreateLicenseOrderDto {
  @ApiProperty({ description: 'A member of the provider corp allowed to buy licenses (plain userid)' })
  @IsString()
  @Matches(USER_ID, { message: `buyerUserId ${USER_ID_MESSAGE}` })
  buyerUserId: string;

  @ApiPropertyOptional({ default: 0, description: '基础账号 to buy' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  baseCount?: number;

  @ApiPropertyOptional({ default: 0, description: '互通账号 to buy' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  externalContactCount?: number;

  @ApiProperty({ description: 'Months (31 days each); months × 31 + days must be 31..1860' })
  @IsInt()
  @Min(0)
  @Max(60)
  months: number;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1860)
  days?: number;
}

export class CreatedLicenseOrderDto {
  @ApiProperty()
  orderId: string;
}

export class ActivateLicenseDto {
  @ApiProperty({ description: 'The member to activate' })
  @IsString()
  @Matches(USER_ID, { message: `userId ${USER_ID_MESSAGE}` })
  userId: string;

  @ApiPropertyOptional({ description: 'A code the tenant holds; absent: a free stored code of `type`' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  activeCode?: string;

  @ApiPropertyOptional({ enum: [1, 2], default: 1 })
  @IsOptional()
  @IsIn([1, 2])
  type?: 1 | 2;
}

export class ActivatedLicenseDto {
  @ApiProperty()
  userId: string;

  @ApiProperty({ enum: [1, 2] })
  type: number;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  expiresAt: string | null;
}

export class TransferLicenseDto {
  @ApiProperty({ description: 'The member handing the account over (leaving, changing role)' })
  @IsString()
  @Matches(USER_ID, { message: `handoverUserId ${USER_ID_MESSAGE}` })
  handoverUserId: string;

  @ApiProperty({ description: 'The member taking it over (must hold no account of the same type)' })
  @IsString()
  @Matches(USER_ID, { message: `takeoverUserId ${USER_ID_MESSAGE}` })
  takeoverUserId: string;
}

export class AutoActiveDto {
  @ApiProperty()
  @IsBoolean()
  enabled: boolean;
}

export class LicenseSyncDto {
  @ApiProperty({ description: 'WeCom calls made' })
  calls: number;

  @ApiProperty()
  accounts: number;

  @ApiProperty()
  orders: number;

  @ApiProperty()
  newCodes: number;
}
