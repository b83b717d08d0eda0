import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';
import { SecretCipher } from './secret-cipher.js';

/** Every column holding a sealed value (`v1.<keyId>.…`), by table. Keep in step with schema.prisma's sealed columns. */
const SEALED_COLUMNS: Record<string, readonly string[]> = {
  Suite: ['secretEnc', 'encodingAesKeyEnc'],
  Provider: ['secretEnc', 'encodingAesKeyEnc'],
  SuiteTicket: ['ticketEnc'],
  AuthCorp: ['permanentCodeEnc', 'callbackAesKeyEnc'],
  AuthCodeClaim: ['answerEnc'],
  CallbackEvent: ['payload'],
  StoredToken: ['valueEnc'],
  PlatformEvent: ['envelope'],
  WebhookEndpoint: ['secret', 'previousSecret'],
  LicenseActiveCode: ['sealedCode'],
};

/** Sealed values sampled per column: enough to see the key a store was sealed under, few enough for any table size. */
const SAMPLE = 20;

/**
 * One statement: the distinct key ids among a few sealed values of each sealed column. Each part stops after SAMPLE
 * matching rows, so a table of millions costs as little as an empty one. Identifiers are the constants above.
 */
const SAMPLE_SQL = `SELECT DISTINCT split_part(v, '.', 2) AS "keyId" FROM (${Object.entries(SEALED_COLUMNS)
  .flatMap(([table, columns]) => columns.map((c) => `(SELECT "${c}" AS v FROM "${table}" WHERE "${c}" LIKE 'v1.%' LIMIT ${SAMPLE})`))
  .join(' UNION ALL ')}) AS sealed ORDER BY 1`;

/** SECRET_KEY (with SECRET_KEYS_OLD) cannot open what the store holds: writing under it would leave a store no one key opens. */
export class SecretKeyMismatchError extends Error {
  override readonly name = 'SecretKeyMismatchError';

  constructor(
    /** key ids found on stored values that no configured key has */
    readonly unknownKeyIds: readonly string[],
    /** SECRET_KEY's id */
    readonly currentKeyId: string,
    /** SECRET_KEYS_OLD's ids */
    readonly oldKeyIds: readonly string[],
  ) {
    super(
      `SECRET_KEY cannot open the stored secrets: they are sealed under key ${unknownKeyIds.join(', ')}, ` +
        `but SECRET_KEY is key ${currentKeyId} and SECRET_KEYS_OLD holds ${oldKeyIds.length ? oldKeyIds.join(', ') : 'no key'}. ` +
        'Set SECRET_KEY to the key the store was sealed with (older keys go in SECRET_KEYS_OLD); to change keys, set the new one as ' +
        'SECRET_KEY with the old one in SECRET_KEYS_OLD and run `secrets rotate`',
    );
  }
}

/**
 * Refuses a SECRET_KEY that cannot open what is already stored, before anything is sealed under it: samples the key
 * ids on each sealed column (one statement) and throws SecretKeyMismatchError naming the ids no configured key has.
 * An empty store accepts any key. Database errors propagate.
 */
export async function checkSecretKey(prisma: PrismaService, cipher: SecretCipher): Promise<void> {
  const rows = await prisma.client.$queryRawUnsafe<{ keyId: string }[]>(SAMPLE_SQL);
  const unknown = rows.map((r) => r.keyId).filter((id) => !cipher.knowsKey(id));
  if (unknown.length) throw new SecretKeyMismatchError(unknown, cipher.currentKeyId, cipher.oldKeyIds);
}

/**
 * The same check when an app starts: a wrong key stops the app with the error above instead of answering 503 for
 * every suite. A database that does not answer yet is not a reason to stop (the health check reports it): warned only.
 */
@Injectable()
export class SecretKeyStartupCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('SecretKey');

  constructor(
    private readonly prisma: PrismaService,
    private readonly cipher: SecretCipher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await checkSecretKey(this.prisma, this.cipher);
    } catch (err) {
      if (err instanceof SecretKeyMismatchError) throw err;
      this.logger.warn(`could not check SECRET_KEY against the stored secrets: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
