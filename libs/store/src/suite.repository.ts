import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';
import { SecretCipher } from './secret-cipher.js';

export interface SuiteInput {
  suiteId: string;
  name?: string;
  secret: string;
  token: string;
  encodingAesKey: string;
  successUrl?: string | null;
  defaultAuthType?: 0 | 1;
  /** the owning provider's corpid; a Provider row is created for it if there is none */
  providerCorpId?: string | null;
  /**
   * Kept for registrations that still send it with the suite: stored on the Provider (one provider_secret per
   * provider corpid), replacing the provider's secret. Omitted or null: the provider's secret is left as it is.
   */
  providerSecret?: string | null;
  /** origins an OAuth login of this suite may send its result to */
  redirectOrigins?: string[];
  /** install page branding */
  logoUrl?: string | null;
  description?: string | null;
  /** a 代开发 template (ids starting `dk` are, whatever this says) */
  customizedApp?: boolean;
}

/** A change to a registered suite: every field left undefined keeps its stored value (secrets included). */
export type SuiteChange = Partial<Omit<SuiteInput, 'suiteId' | 'providerSecret'>> & {
  /** stored on the Provider (the suite's, or `providerCorpId` when given); undefined: left as it is */
  providerSecret?: string;
};

/** Whether a suite is a 代开发 (customized app) template: registered as one, or its id has WeCom's `dk` prefix. */
export function isCustomizedTemplate(suiteId: string, customizedApp: boolean): boolean {
  return customizedApp || suiteId.startsWith('dk');
}

/** What may be shown about a suite: never its secrets. */
export interface SuiteSummary {
  suiteId: string;
  name: string;
  successUrl: string | null;
  defaultAuthType: number;
  providerCorpId: string | null;
  hasProviderSecret: boolean;
  redirectOrigins: string[];
  logoUrl: string | null;
  description: string | null;
  /** a 代开发 template: corp tokens from gettoken, member login through the corp's own OAuth */
  customizedApp: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Decrypted credentials, for the code that talks to WeCom; never leaves the process. `providerSecret` is the owning
 * Provider's (ProviderRepository holds it).
 */
export interface SuiteCredentials {
  suiteId: string;
  secret: string;
  token: string;
  encodingAesKey: string;
  providerCorpId: string | null;
  providerSecret: string | null;
  successUrl: string | null;
  defaultAuthType: number;
  /** see isCustomizedTemplate */
  customizedApp: boolean;
}

/** The provider's secret column, read to say whether one is registered (and opened only by findCredentials). */
const WITH_PROVIDER = { provider: { select: { secretEnc: true } } } as const;

@Injectable()
export class SuiteRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly cipher: SecretCipher,
  ) {}

  async upsert(input: SuiteInput): Promise<SuiteSummary> {
    const data = {
      name: input.name ?? input.suiteId,
      secretEnc: this.cipher.seal(input.secret),
      token: input.token,
      encodingAesKeyEnc: this.cipher.seal(input.encodingAesKey),
      successUrl: input.successUrl ?? null,
      defaultAuthType: input.defaultAuthType ?? 0,
      providerCorpId: input.providerCorpId ?? null,
      redirectOrigins: input.redirectOrigins ?? [],
      logoUrl: input.logoUrl ?? null,
      description: input.description ?? null,
      // omitted: kept as registered (a PATCH of other settings does not turn a template into a suite)
      ...(input.customizedApp !== undefined ? { customizedApp: input.customizedApp } : {}),
    };
    const providerCorpId = input.providerCorpId ?? null;
    const row = await this.prisma.client.$transaction(async (tx) => {
      if (providerCorpId !== null) {
        const secret = input.providerSecret ? { secretEnc: this.cipher.seal(input.providerSecret) } : {};
        await tx.provider.upsert({ where: { corpId: providerCorpId }, create: { corpId: providerCorpId, name: providerCorpId, ...secret }, update: secret });
      }
      return tx.suite.upsert({ where: { id: input.suiteId }, create: { id: input.suiteId, ...data }, update: data, include: WITH_PROVIDER });
    });
    return toSummary(row);
  }

  /**
   * Changes what `change` gives of a registered suite and keeps the rest; returns null when the suite is not
   * registered. A new provider corpid gets a Provider row; a provider secret goes to the suite's provider (throws
   * when it has none).
   */
  async update(suiteId: string, change: SuiteChange): Promise<SuiteSummary | null> {
    const seal = (value: string | undefined): string | undefined => (value === undefined ? undefined : this.cipher.seal(value));
    const { secret, encodingAesKey, providerSecret, ...settings } = change;
    return this.prisma.client.$transaction(async (tx) => {
      const stored = await tx.suite.findUnique({ where: { id: suiteId }, select: { providerCorpId: true } });
      if (!stored) return null;
      const providerCorpId = change.providerCorpId === undefined ? stored.providerCorpId : change.providerCorpId;
      if (providerSecret !== undefined && providerCorpId === null) throw new Error(`suite ${suiteId} has no provider corpid for its provider secret`);
      if (providerCorpId !== null && (change.providerCorpId !== undefined || providerSecret !== undefined)) {
        const sealed = providerSecret === undefined ? {} : { secretEnc: this.cipher.seal(providerSecret) };
        await tx.provider.upsert({ where: { corpId: providerCorpId }, create: { corpId: providerCorpId, name: providerCorpId, ...sealed }, update: sealed });
      }
      const row = await tx.suite.update({
        where: { id: suiteId },
        data: { ...settings, secretEnc: seal(secret), encodingAesKeyEnc: seal(encodingAesKey) },
        include: WITH_PROVIDER,
      });
      return toSummary(row);
    });
  }

  async list(): Promise<SuiteSummary[]> {
    const rows = await this.prisma.client.suite.findMany({ orderBy: { createdAt: 'asc' }, include: WITH_PROVIDER });
    return rows.map(toSummary);
  }

  /** Suites in id order, keyset-paginated: `limit` rows after `afterId`. */
  async page(limit: number, afterId?: string): Promise<SuiteSummary[]> {
    const rows = await this.prisma.client.suite.findMany({
      where: afterId === undefined ? undefined : { id: { gt: afterId } },
      orderBy: { id: 'asc' },
      take: limit,
      include: WITH_PROVIDER,
    });
    return rows.map(toSummary);
  }

  async listIds(): Promise<string[]> {
    const rows = await this.prisma.client.suite.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
    return rows.map((r) => r.id);
  }

  async find(suiteId: string): Promise<SuiteSummary | null> {
    const row = await this.prisma.client.suite.findUnique({ where: { id: suiteId }, include: WITH_PROVIDER });
    return row ? toSummary(row) : null;
  }

  /**
   * Records the provider corpid WeCom's URL verification revealed, for a suite registered without one; never
   * overwrites one that is set. Returns whether it was recorded.
   */
  async setProviderCorpIdIfMissing(suiteId: string, providerCorpId: string): Promise<boolean> {
    return this.prisma.client.$transaction(async (tx) => {
      const suite = await tx.suite.findUnique({ where: { id: suiteId }, select: { providerCorpId: true } });
      if (!suite || suite.providerCorpId !== null) return false;
      await tx.provider.upsert({ where: { corpId: providerCorpId }, create: { corpId: providerCorpId, name: providerCorpId }, update: {} });
      const { count } = await tx.suite.updateMany({ where: { id: suiteId, providerCorpId: null }, data: { providerCorpId } });
      return count > 0;
    });
  }

  async findCredentials(suiteId: string): Promise<SuiteCredentials | null> {
    const row = await this.prisma.client.suite.findUnique({ where: { id: suiteId }, include: WITH_PROVIDER });
    if (!row) return null;
    return {
      suiteId: row.id,
      secret: this.cipher.open(row.secretEnc),
      token: row.token,
      encodingAesKey: this.cipher.open(row.encodingAesKeyEnc),
      providerCorpId: row.providerCorpId,
      providerSecret: row.provider?.secretEnc ? this.cipher.open(row.provider.secretEnc) : null,
      successUrl: row.successUrl,
      defaultAuthType: row.defaultAuthType,
      customizedApp: isCustomizedTemplate(row.id, row.customizedApp),
    };
  }

  async delete(suiteId: string): Promise<boolean> {
    const { count } = await this.prisma.client.suite.deleteMany({ where: { id: suiteId } });
    return count > 0;
  }
}

function toSummary(row: {
  id: string;
  name: string;
  successUrl: string | null;
  defaultAuthType: number;
  providerCorpId: string | null;
  provider: { secretEnc: string | null } | null;
  redirectOrigins: string[];
  logoUrl: string | null;
  description: string | null;
  customizedApp: boolean;
  createdAt: Date;
  updatedAt: Date;
}): SuiteSummary {
  return {
    suiteId: row.id,
    name: row.name,
    successUrl: row.successUrl,
    defaultAuthType: row.defaultAuthType,
    providerCorpId: row.providerCorpId,
    hasProviderSecret: Boolean(row.provider?.secretEnc),
    redirectOrigins: row.redirectOrigins,
    logoUrl: row.logoUrl,
    description: row.description,
    customizedApp: isCustomizedTemplate(row.id, row.customizedApp),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
