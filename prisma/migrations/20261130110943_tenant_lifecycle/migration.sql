-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "EventStatus" ADD VALUE 'awaiting_tenant';
ALTER TYPE "EventStatus" ADD VALUE 'orphan';

-- AlterTable
ALTER TABLE "AuthCorp" ADD COLUMN     "installState" TEXT,
ADD COLUMN     "lifecycleAt" INTEGER;

-- AlterTable
ALTER TABLE "AuthCodeClaim" ADD COLUMN     "answerEnc" TEXT,
ADD COLUMN     "failure" TEXT,
ADD COLUMN     "sentAt" TIMESTAMP(3);
