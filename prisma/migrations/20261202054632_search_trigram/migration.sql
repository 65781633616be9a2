-- Trigram matching for the name searches (contains / ILIKE). pg_trgm ships with
-- PostgreSQL and is a trusted extension (a database owner may create it).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateIndex
CREATE INDEX "Host_name_trgm_idx" ON "Host" USING GIN ("name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Host_address_trgm_idx" ON "Host" USING GIN ("address" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Vm_name_trgm_idx" ON "Vm" USING GIN ("name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Vm_tags_idx" ON "Vm" USING GIN ("tags");
