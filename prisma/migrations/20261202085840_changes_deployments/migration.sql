-- AlterEnum
ALTER TYPE "DeploymentStatus" ADD VALUE 'cancelled';

-- AlterTable
ALTER TABLE "Change" ADD COLUMN     "kind" VARCHAR(16) NOT NULL DEFAULT 'edit',
ADD COLUMN     "liveCheckedAt" TIMESTAMPTZ(3),
ADD COLUMN     "proposedAt" TIMESTAMPTZ(3),
ADD COLUMN     "proposedById" UUID,
ADD COLUMN     "urgent" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Deployment" DROP COLUMN "log",
ADD COLUMN     "cancelRequestedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "drift" JSONB,
ADD COLUMN     "driftCheckedAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "ChangeComment" (
    "id" UUID NOT NULL,
    "changeId" UUID NOT NULL,
    "authorId" UUID,
    "body" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChangeComment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeploymentLogChunk" (
    "id" BIGSERIAL NOT NULL,
    "deploymentId" UUID NOT NULL,
    "step" VARCHAR(64),
    "text" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DeploymentLogChunk_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ChangeComment_changeId_createdAt_idx" ON "ChangeComment"("changeId", "createdAt");

-- CreateIndex
CREATE INDEX "DeploymentLogChunk_deploymentId_id_idx" ON "DeploymentLogChunk"("deploymentId", "id");

-- AddForeignKey
ALTER TABLE "Change" ADD CONSTRAINT "Change_proposedById_fkey" FOREIGN KEY ("proposedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChangeComment" ADD CONSTRAINT "ChangeComment_changeId_fkey" FOREIGN KEY ("changeId") REFERENCES "Change"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChangeComment" ADD CONSTRAINT "ChangeComment_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeploymentLogChunk" ADD CONSTRAINT "DeploymentLogChunk_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
