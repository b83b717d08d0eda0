-- Provider as its own record (issue 13): provider corpid, provider_secret (sealed), system-event token + EncodingAESKey.

-- CreateTable
CREATE TABLE "Provider" (
    "corpId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "secretEnc" TEXT,
    "token" TEXT,
    "encodingAesKeyEnc" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Provider_pkey" PRIMARY KEY ("corpId")
);

-- Move the per-suite provider credentials onto one Provider per corpid, losing none: every provider corpid a suite
-- names becomes a Provider, its secret is the one of the most recently updated suite that had one (a provider has
-- one provider_secret at WeCom, so suites naming the same corpid held copies of it).
INSERT INTO "Provider" ("corpId", "name", "secretEnc", "updatedAt")
SELECT DISTINCT ON ("providerCorpId") "providerCorpId", "providerCorpId", "providerSecretEnc", CURRENT_TIMESTAMP
FROM "Suite"
WHERE "providerCorpId" IS NOT NULL
ORDER BY "providerCorpId", ("providerSecretEnc" IS NULL), "updatedAt" DESC;

-- AddForeignKey
ALTER TABLE "Suite" ADD CONSTRAINT "Suite_providerCorpId_fkey" FOREIGN KEY ("providerCorpId") REFERENCES "Provider"("corpId") ON DELETE SET NULL ON UPDATE CASCADE;

-- AlterTable
ALTER TABLE "Suite" DROP COLUMN "providerSecretEnc";

-- Provider tokens were kept per suite, they are now kept per provider corpid (a token is disposable: refetched).
DELETE FROM "StoredToken" WHERE "kind" = 'provider';

-- AlterEnum
ALTER TYPE "CallbackKind" ADD VALUE 'system';
