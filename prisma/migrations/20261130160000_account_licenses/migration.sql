-- CreateTable
CREATE TABLE "LicenseOrder" (
    "orderId" TEXT NOT NULL,
    "providerCorpId" TEXT NOT NULL,
    "corpId" TEXT NOT NULL,
    "orderType" INTEGER NOT NULL,
    "orderStatus" INTEGER NOT NULL,
    "price" INTEGER NOT NULL DEFAULT 0,
    "baseCount" INTEGER NOT NULL DEFAULT 0,
    "externalContactCount" INTEGER NOT NULL DEFAULT 0,
    "durationMonths" INTEGER NOT NULL DEFAULT 0,
    "durationDays" INTEGER NOT NULL DEFAULT 0,
    "createdAtWecom" TIMESTAMP(3),
    "paidAt" TIMESTAMP(3),
    "codesFetched" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LicenseOrder_pkey" PRIMARY KEY ("orderId")
);

-- CreateTable
CREATE TABLE "LicenseActiveCode" (
    "codeHash" TEXT NOT NULL,
    "sealedCode" TEXT NOT NULL,
    "providerCorpId" TEXT NOT NULL,
    "corpId" TEXT NOT NULL,
    "orderId" TEXT,
    "type" INTEGER NOT NULL,
    "userId" TEXT,
    "activeAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LicenseActiveCode_pkey" PRIMARY KEY ("codeHash")
);

-- CreateTable
CREATE TABLE "LicenseAccount" (
    "providerCorpId" TEXT NOT NULL,
    "corpId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "type" INTEGER NOT NULL,
    "activeAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "notifiedWindows" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
    "seenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LicenseAccount_pkey" PRIMARY KEY ("providerCorpId","corpId","userId","type")
);

-- CreateTable
CREATE TABLE "LicenseCorp" (
    "providerCorpId" TEXT NOT NULL,
    "corpId" TEXT NOT NULL,
    "autoActive" BOOLEAN,
    "lastReconciledAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LicenseCorp_pkey" PRIMARY KEY ("providerCorpId","corpId")
);

-- CreateTable
CREATE TABLE "LicenseUnlicensedMember" (
    "providerCorpId" TEXT NOT NULL,
    "corpId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "suiteId" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "seenCount" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "LicenseUnlicensedMember_pkey" PRIMARY KEY ("providerCorpId","corpId","userId")
);

-- CreateIndex
CREATE INDEX "LicenseOrder_providerCorpId_corpId_idx" ON "LicenseOrder"("providerCorpId", "corpId");

-- CreateIndex
CREATE INDEX "LicenseActiveCode_providerCorpId_corpId_userId_idx" ON "LicenseActiveCode"("providerCorpId", "corpId", "userId");

-- CreateIndex
CREATE INDEX "LicenseAccount_expiresAt_idx" ON "LicenseAccount"("expiresAt");
