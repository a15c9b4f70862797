-- Found blocks followed on the node's chain by the accounting worker (apps/stratum):
-- confirmations as last seen, and when they were last checked.
ALTER TABLE "found_block" ADD COLUMN "confirmations" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "checked_at" TIMESTAMPTZ(3);
CREATE INDEX "found_block_status_idx" ON "found_block"("status");
