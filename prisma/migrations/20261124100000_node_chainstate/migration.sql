-- Chain state: UTXO set, undo data, transaction and address indexes, block statistics
CREATE TABLE "utxo" (
    "txid" BYTEA NOT NULL,
    "vout" INTEGER NOT NULL,
    "value" BIGINT NOT NULL,
    "script" BYTEA NOT NULL,
    "height" INTEGER NOT NULL,
    "coinbase" BOOLEAN NOT NULL,
    CONSTRAINT "utxo_pkey" PRIMARY KEY ("txid","vout")
);

CREATE TABLE "block_undo" (
    "hash" BYTEA NOT NULL,
    "height" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,
    CONSTRAINT "block_undo_pkey" PRIMARY KEY ("hash")
);

CREATE TABLE "tx_index" (
    "txid" BYTEA NOT NULL,
    "block_hash" BYTEA NOT NULL,
    "height" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "offset" INTEGER NOT NULL,
    "size" INTEGER NOT NULL,
    CONSTRAINT "tx_index_pkey" PRIMARY KEY ("txid")
);
CREATE INDEX "tx_index_height_idx" ON "tx_index"("height");

CREATE TABLE "address_history" (
    "hash160" BYTEA NOT NULL,
    "height" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "is_spend" BOOLEAN NOT NULL,
    "n" INTEGER NOT NULL,
    "txid" BYTEA NOT NULL,
    "value" BIGINT NOT NULL,
    CONSTRAINT "address_history_pkey" PRIMARY KEY ("hash160","height","position","is_spend","n")
);
CREATE INDEX "address_history_height_idx" ON "address_history"("height");

CREATE TABLE "address_balance" (
    "hash160" BYTEA NOT NULL,
    "balance" BIGINT NOT NULL,
    "received" BIGINT NOT NULL,
    "entries" INTEGER NOT NULL,
    CONSTRAINT "address_balance_pkey" PRIMARY KEY ("hash160")
);

CREATE TABLE "block_stats" (
    "hash" BYTEA NOT NULL,
    "height" INTEGER NOT NULL,
    "tx_count" INTEGER NOT NULL,
    "size" INTEGER NOT NULL,
    "total_fee" BIGINT NOT NULL,
    "fee_rate_min" BIGINT NOT NULL,
    "fee_rate_p10" BIGINT NOT NULL,
    "fee_rate_median" BIGINT NOT NULL,
    "fee_rate_p90" BIGINT NOT NULL,
    CONSTRAINT "block_stats_pkey" PRIMARY KEY ("hash")
);
CREATE INDEX "block_stats_height_idx" ON "block_stats"("height");

-- Mempool: transactions waiting to be mined, and double-spend attempts
CREATE TABLE "mempool_tx" (
    "txid" BYTEA NOT NULL,
    "raw" BYTEA NOT NULL,
    "fee" BIGINT NOT NULL,
    "size" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "seq" BIGINT NOT NULL,
    "entered_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "mempool_tx_pkey" PRIMARY KEY ("txid")
);
CREATE INDEX "mempool_tx_seq_idx" ON "mempool_tx"("seq");

CREATE TYPE "double_spend_kind" AS ENUM ('MEMPOOL', 'BLOCK');

CREATE TABLE "double_spend" (
    "id" BIGSERIAL NOT NULL,
    "kind" "double_spend_kind" NOT NULL,
    "txid" BYTEA NOT NULL,
    "raw" BYTEA NOT NULL,
    "conflict_txid" BYTEA NOT NULL,
    "prev_txid" BYTEA NOT NULL,
    "prev_vout" INTEGER NOT NULL,
    "block_hash" BYTEA,
    "source" TEXT NOT NULL,
    "detected_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "double_spend_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "double_spend_detected_at_idx" ON "double_spend"("detected_at");
CREATE INDEX "double_spend_txid_idx" ON "double_spend"("txid");
