-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "CorpStatus" AS ENUM ('active', 'cancelled', 'suspended');

-- CreateEnum
CREATE TYPE "CallbackKind" AS ENUM ('command', 'data');

-- CreateEnum
CREATE TYPE "EventStatus" AS ENUM ('received', 'queued', 'processing', 'processed', 'failed');

-- CreateEnum
CREATE TYPE "TokenKind" AS ENUM ('suite', 'corp', 'provider', 'jsapi', 'agent');

-- CreateTable
CREATE TABLE "Suite" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "secretEnc" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "encodingAesKeyEnc" TEXT NOT NULL,
    "successUrl" TEXT,
    "defaultAuthType" INTEGER NOT NULL DEFAULT 0,
    "providerCorpId" TEXT,
    "providerSecretEnc" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Suite_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SuiteTicket" (
    "suiteId" TEXT NOT NULL,
    "ticketEnc" TEXT NOT NULL,
    "wecomTime" INTEGER NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SuiteTicket_pkey" PRIMARY KEY ("suiteId")
);

-- CreateTable
CREATE TABLE "AuthCorp" (
    "id" UUID NOT NULL,
    "suiteId" TEXT NOT NULL,
    "corpId" TEXT NOT NULL,
    "status" "CorpStatus" NOT NULL DEFAULT 'active',
    "statusReason" TEXT,
    "permanentCodeEnc" TEXT,
    "corpName" TEXT,
    "corpFullName" TEXT,
    "agentId" INTEGER,
    "authCorpInfo" JSONB,
    "authInfo" JSONB,
    "authUserInfo" JSONB,
    "editionInfo" JSONB,
    "dealerCorpInfo" JSONB,
    "registerCodeInfo" JSONB,
    "installedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "cancelledAt" TIMESTAMP(3),
    "jssdkUsedAt" TIMESTAMP(3),

    CONSTRAINT "AuthCorp_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuthCodeClaim" (
    "codeHash" TEXT NOT NULL,
    "suiteId" TEXT NOT NULL,
    "claimedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "corpId" TEXT,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "AuthCodeClaim_pkey" PRIMARY KEY ("codeHash")
);

-- CreateTable
CREATE TABLE "InstallSession" (
    "id" UUID NOT NULL,
    "state" TEXT NOT NULL,
    "suiteId" TEXT NOT NULL,
    "authType" INTEGER NOT NULL,
    "callerState" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),
    "corpId" TEXT,

    CONSTRAINT "InstallSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CallbackEvent" (
    "id" BIGSERIAL NOT NULL,
    "suiteId" TEXT NOT NULL,
    "kind" "CallbackKind" NOT NULL,
    "type" TEXT NOT NULL,
    "corpId" TEXT,
    "dedupeKey" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" "EventStatus" NOT NULL DEFAULT 'received',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "queuedAt" TIMESTAMP(3),
    "processedAt" TIMESTAMP(3),

    CONSTRAINT "CallbackEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "keyHash" TEXT NOT NULL,
    "keyPrefix" TEXT NOT NULL,
    "scopes" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StoredToken" (
    "kind" "TokenKind" NOT NULL,
    "suiteId" TEXT NOT NULL,
    "corpId" TEXT NOT NULL DEFAULT '',
    "valueEnc" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "StoredToken_pkey" PRIMARY KEY ("kind","suiteId","corpId")
);

-- CreateIndex
CREATE INDEX "AuthCorp_suiteId_status_installedAt_idx" ON "AuthCorp"("suiteId", "status", "installedAt");

-- CreateIndex
CREATE UNIQUE INDEX "AuthCorp_suiteId_corpId_key" ON "AuthCorp"("suiteId", "corpId");

-- CreateIndex
CREATE UNIQUE INDEX "InstallSession_state_key" ON "InstallSession"("state");

-- CreateIndex
CREATE INDEX "InstallSession_expiresAt_idx" ON "InstallSession"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "CallbackEvent_dedupeKey_key" ON "CallbackEvent"("dedupeKey");

-- CreateIndex
CREATE INDEX "CallbackEvent_status_receivedAt_idx" ON "CallbackEvent"("status", "receivedAt");

-- CreateIndex
CREATE INDEX "CallbackEvent_suiteId_receivedAt_idx" ON "CallbackEvent"("suiteId", "receivedAt");

-- CreateIndex
CREATE INDEX "CallbackEvent_suiteId_corpId_receivedAt_idx" ON "CallbackEvent"("suiteId", "corpId", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_keyHash_key" ON "ApiKey"("keyHash");

-- CreateIndex
CREATE INDEX "StoredToken_expiresAt_idx" ON "StoredToken"("expiresAt");

-- AddForeignKey
ALTER TABLE "SuiteTicket" ADD CONSTRAINT "SuiteTicket_suiteId_fkey" FOREIGN KEY ("suiteId") REFERENCES "Suite"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuthCorp" ADD CONSTRAINT "AuthCorp_suiteId_fkey" FOREIGN KEY ("suiteId") REFERENCES "Suite"("id") ON DELETE CASCADE ON UPDATE CASCADE;
