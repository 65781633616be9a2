-- AlterEnum
ALTER TYPE "HostStatus" ADD VALUE 'unsafe_config';

-- AlterTable
ALTER TABLE "LoginThrottle" ADD COLUMN     "lockedAttempts" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "lockedAttempts" INTEGER NOT NULL DEFAULT 0;
