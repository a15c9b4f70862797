-- Chain: header index, block bodies, active chain
CREATE TYPE "block_status" AS ENUM ('HEADER', 'DATA', 'VALID', 'INVALID');

CREATE TABLE "block_index" (
    "hash" BYTEA NOT NULL,
    "height" INTEGER NOT NULL,
    "prev_hash" BYTEA NOT NULL,
    "version" INTEGER NOT NULL,
    "merkle_root" BYTEA NOT NULL,
    "time" BIGINT NOT NULL,
    "bits" BIGINT NOT NULL,
    "nonce" BIGINT NOT NULL,
    "chain_work" BYTEA NOT NULL,
    "header" BYTEA NOT NULL,
    "status" "block_status" NOT NULL DEFAULT 'HEADER',
    "tx_count" INTEGER,
    "size" INTEGER,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "block_index_pkey" PRIMARY KEY ("hash")
);
CREATE INDEX "block_index_height_idx" ON "block_index"("height");
CREATE INDEX "block_index_prev_hash_idx" ON "block_index"("prev_hash");
CREATE INDEX "block_index_chain_work_idx" ON "block_index"("chain_work");

CREATE TABLE "block_data" (
    "hash" BYTEA NOT NULL,
    "raw" BYTEA NOT NULL,
    CONSTRAINT "block_data_pkey" PRIMARY KEY ("hash")
);

CREATE TABLE "main_chain" (
    "height" INTEGER NOT NULL,
    "hash" BYTEA NOT NULL,
    CONSTRAINT "main_chain_pkey" PRIMARY KEY ("height")
);
CREATE UNIQUE INDEX "main_chain_hash_key" ON "main_chain"("hash");

-- Pool: miners, workers, shares, rollups, found blocks
CREATE TYPE "found_block_status" AS ENUM ('SUBMITTED', 'ACCEPTED', 'REJECTED', 'CONFIRMED', 'ORPHANED');

CREATE TABLE "miner" (
    "id" SERIAL NOT NULL,
    "address" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "miner_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "miner_address_key" ON "miner"("address");

CREATE TABLE "worker" (
    "id" SERIAL NOT NULL,
    "miner_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_share_at" TIMESTAMPTZ(3),
    CONSTRAINT "worker_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "worker_miner_id_name_key" ON "worker"("miner_id", "name");
ALTER TABLE "worker" ADD CONSTRAINT "worker_miner_id_fkey" FOREIGN KEY ("miner_id") REFERENCES "miner"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "share" (
    "id" BIGSERIAL NOT NULL,
    "share_key" TEXT NOT NULL,
    "worker_id" INTEGER NOT NULL,
    "job_id" TEXT NOT NULL,
    "difficulty" DECIMAL(40,12) NOT NULL,
    "actual_difficulty" DECIMAL(60,12) NOT NULL,
    "height" INTEGER NOT NULL,
    "is_block" BOOLEAN NOT NULL DEFAULT false,
    "submitted_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "share_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "share_share_key_key" ON "share"("share_key");
CREATE INDEX "share_worker_id_submitted_at_idx" ON "share"("worker_id", "submitted_at");
CREATE INDEX "share_submitted_at_idx" ON "share"("submitted_at");
ALTER TABLE "share" ADD CONSTRAINT "share_worker_id_fkey" FOREIGN KEY ("worker_id") REFERENCES "worker"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "share_rollup" (
    "worker_id" INTEGER NOT NULL,
    "minute" TIMESTAMPTZ(0) NOT NULL,
    "shares" INTEGER NOT NULL,
    "difficulty_sum" DECIMAL(50,12) NOT NULL,
    CONSTRAINT "share_rollup_pkey" PRIMARY KEY ("worker_id", "minute")
);
CREATE INDEX "share_rollup_minute_idx" ON "share_rollup"("minute");
ALTER TABLE "share_rollup" ADD CONSTRAINT "share_rollup_worker_id_fkey" FOREIGN KEY ("worker_id") REFERENCES "worker"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "found_block" (
    "hash" BYTEA NOT NULL,
    "height" INTEGER NOT NULL,
    "worker_id" INTEGER,
    "reward" BIGINT NOT NULL,
    "status" "found_block_status" NOT NULL DEFAULT 'SUBMITTED',
    "submit_result" TEXT,
    "found_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "found_block_pkey" PRIMARY KEY ("hash")
);
CREATE INDEX "found_block_found_at_idx" ON "found_block"("found_at");
CREATE INDEX "found_block_height_idx" ON "found_block"("height");
