-- AlterTable
ALTER TABLE "CallbackEvent" ADD COLUMN     "event" JSONB;
