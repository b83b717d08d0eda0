import { PrismaService, SecretCipher } from '@app/store';
import { TEST_DATABASE_URL, TEST_SECRET_KEY } from './env.js';

export function testPrisma(url = TEST_DATABASE_URL): PrismaService {
  return new PrismaService({ url, poolSize: 4 });
}

export function testCipher(oldKeys: Buffer[] = []): SecretCipher {
  return new SecretCipher(TEST_SECRET_KEY, oldKeys);
}
