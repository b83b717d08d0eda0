-- CreateEnum
CREATE TYPE "ConsoleSignInMethod" AS ENUM ('password', 'wecom');

-- AlterTable
ALTER TABLE "ConsoleUser" ADD COLUMN     "wecomCorpId" TEXT,
ADD COLUMN     "wecomUserId" TEXT;

-- AlterTable
ALTER TABLE "ConsoleSession" ADD COLUMN     "method" "ConsoleSignInMethod" NOT NULL DEFAULT 'password';

-- CreateIndex
CREATE UNIQUE INDEX "ConsoleUser_wecomCorpId_wecomUserId_key" ON "ConsoleUser"("wecomCorpId", "wecomUserId");
