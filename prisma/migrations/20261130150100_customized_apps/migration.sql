-- 代开发 (customized app) templates (issue 13): the suite kind, and a corp-level callback key override.

-- AlterTable
ALTER TABLE "Suite" ADD COLUMN     "customizedApp" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "AuthCorp" ADD COLUMN     "callbackToken" TEXT,
ADD COLUMN     "callbackAesKeyEnc" TEXT;
