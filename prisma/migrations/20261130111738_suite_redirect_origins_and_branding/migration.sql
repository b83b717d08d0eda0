-- AlterTable
ALTER TABLE "Suite" ADD COLUMN     "description" TEXT,
ADD COLUMN     "logoUrl" TEXT,
ADD COLUMN     "redirectOrigins" TEXT[] DEFAULT ARRAY[]::TEXT[];
