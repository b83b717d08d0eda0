import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';
import { SecretCipher } from './secret-cipher.js';

/**
 * What registering a provider sets. Omitted fields keep their stored value (so a rotation names only what changes);
 * `null` clears a field.
 */
export interface ProviderInput {
  corpId: string;
  name?: string;
  /** provider_secret (服务商 ProviderSecret) */
  secret?: string | null;
  /** system-event URL token (系统事件接收URL: Token) */
  token?: string | null;
  /** system-event URL EncodingAESKey (43 characters) */
  encodingAesKey?: string | null;
}

/** What may be shown about a provider: never its secrets. */
export interface ProviderSummary {
  corpId: string;
  name: string;
  hasSecret: boolean;
  /** the system-event URL can be verified (token and EncodingAESKey are both set) */
  systemEventsConfigured: boolean;
  suiteIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** Decrypted credentials, for the code that talks to WeCom; never leaves the process. */
export interface ProviderCredentials {
  corpId: string;
  secret: string | null;
  token: string | null;
  encodingAesKey: string | null;
}

type ProviderRow = {
  corpId: string;
  name: string;
  secretEnc: string | null;
  token: string | null;
  encodingAesKeyEnc: string | null;
  createdAt: Date;
  updatedAt: Date;
  suites?: { id: string }[];
};

/**
 * Providers (服务商): one row per provider corpid, owning suites and 代开发 templates. Secrets are sealed with
 * SecretCipher. Keyed by the provider corpid everywhere (`find(corpId)`).
 */
@Injectable()
export class ProviderRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly cipher: SecretCipher,
  ) {}

  /** Creates the provider or updates the fields given (see ProviderInput). */
  async upsert(input: ProviderInput): Promise<ProviderSummary> {
    const data = {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.secret !== undefined ? { secretEnc: input.secret === null ? null : this.cipher.seal(input.secret) } : {}),
      ...(input.token !== undefined ? { token: input.token } : {}),
      ...(input.encodingAesKey !== undefined
        ? { encodingAesKeyEnc: input.encodingAesKey === null ? null : this.cipher.seal(input.encodingAesKey) }
        : {}),
    };
    const row = await this.prisma.client.provider.upsert({
      where: { corpId: input.corpId },
      create: { corpId: input.corpId, name: input.name ?? input.corpId, ...data },
      update: data,
      include: { suites: { select: { id: true }, orderBy: { id: 'asc' } } },
    });
    return toSummary(row);
  }

  /** Makes sure a provider row exists for `corpId` (a suite names it), changing nothing of an existing one. */
  async ensure(corpId: string): Promise<void> {
    await this.prisma.client.provider.upsert({ where: { corpId }, create: { corpId, name: corpId }, update: {} });
  }

  async find(corpId: string): Promise<ProviderSummary | null> {
    const row = await this.prisma.client.provider.findUnique({
      where: { corpId },
      include: { suites: { select: { id: true }, orderBy: { id: 'asc' } } },
    });
    return row ? toSummary(row) : null;
  }

  async list(): Promise<ProviderSummary[]> {
    const rows = await this.prisma.client.provider.findMany({
      orderBy: { corpId: 'asc' },
      include: { suites: { select: { id: true }, orderBy: { id: 'asc' } } },
    });
    return rows.map(toSummary);
  }

  /** Corpids of providers whose provider_access_token can be fetched (a secret is registered). */
  async listWithSecret(): Promise<string[]> {
    const rows = await this.prisma.client.provider.findMany({ where: { secretEnc: { not: null } }, select: { corpId: true }, orderBy: { corpId: 'asc' } });
    return rows.map((r) => r.corpId);
  }

  async findCredentials(corpId: string): Promise<ProviderCredentials | null> {
    const row = await this.prisma.client.provider.findUnique({ where: { corpId } });
    if (!row) return null;
    return {
      corpId: row.corpId,
      secret: row.secretEnc ? this.cipher.open(row.secretEnc) : null,
      token: row.token,
      encodingAesKey: row.encodingAesKeyEnc ? this.cipher.open(row.encodingAesKeyEnc) : null,
    };
  }

  /** Deletes the provider; its suites stay, with no provider. Returns whether it existed. */
  async delete(corpId: string): Promise<boolean> {
    const { count } = await this.prisma.client.provider.deleteMany({ where: { corpId } });
    return count > 0;
  }
}

function toSummary(row: ProviderRow): ProviderSummary {
  return {
    corpId: row.corpId,
    name: row.name,
    hasSecret: row.secretEnc !== null,
    systemEventsConfigured: row.token !== null && row.encodingAesKeyEnc !== null,
    suiteIds: (row.suites ?? []).map((s) => s.id),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
