-- P2P: banned addresses and subnets, and the peer address book (apps/node)
CREATE TABLE "p2p_ban" (
    "subnet" TEXT NOT NULL,
    "banned_until" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "p2p_ban_pkey" PRIMARY KEY ("subnet")
);
CREATE INDEX "p2p_ban_banned_until_idx" ON "p2p_ban"("banned_until");

CREATE TABLE "p2p_address" (
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "services" BIGINT NOT NULL,
    "last_seen" TIMESTAMPTZ(3) NOT NULL,
    "last_try" TIMESTAMPTZ(3),
    "last_success" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "source" TEXT NOT NULL,
    CONSTRAINT "p2p_address_pkey" PRIMARY KEY ("host","port")
);
CREATE INDEX "p2p_address_last_seen_idx" ON "p2p_address"("last_seen");
