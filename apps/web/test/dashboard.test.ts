import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright';
import { Channel, channelKey } from '@metamorph/queue';
import { TEST_REDIS_URL, type TestDatabase } from '@metamorph/testing';
import { ensureWebBuild } from '../../../scripts/web-build.js';
import { startApiServer, type RunningApi } from '../../api/src/server.js';
import { appendBlocks, MINER_B, seedPool, type SeededBlock, type SeededPool } from '../../api/test/fixtures.js';
import { testConfig, testEnvironment } from '../../api/test/setup.js';
import { formatHashrate } from '../lib/format.js';
import { freePort, launchBrowser, spawnNode, startWeb, type Spawned } from './harness.js';

let db: TestDatabase;
let prefix: string;
let api: RunningApi;
let web: Spawned & { url: string };
let browser: Browser;
let redis: Redis;
let blocks: SeededBlock[];
let pool: SeededPool;
const requestedHosts = new Set<string>();
const pageErrors: string[] = [];

async function startApi(port = 0): Promise<RunningApi> {
  return startApiServer({ ...testConfig({ databaseUrl: db.url, prefix }, { API_STATS_INTERVAL_SECONDS: '1' }), API_PORT: port });
}

before(async () => {
  const env = await testEnvironment('web_dashboard');
  db = env.db;
  prefix = env.prefix;
  blocks = await appendBlocks(db.pool, 12);
  pool = await seedPool(db.pool, blocks[9]);
  api = await startApi();
  redis = new Redis(TEST_REDIS_URL);
  await ensureWebBuild({ stdio: 'pipe' });
  web = await startWeb(api.url);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await web?.stop();
  redis?.disconnect();
  await api?.stop();
  await db?.close();
});

async function openDashboard(viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.on('request', (r) => requestedHosts.add(new URL(r.url()).hostname));
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.setDefaultNavigationTimeout(90_000);
  await page.goto(web.url);
  return page;
}

const text = (page: Page, testId: string) => page.getByTestId(testId).textContent({ timeout: 60_000 });

describe('dashboard', () => {
  test('shows chain height, tip hash, pool figures, blocks, workers and shares', async () => {
    const page = await openDashboard();
    await page.getByTestId('chain-height').filter({ hasText: '11' }).waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId('tip-hash').getAttribute('title'), blocks[11].hex);
    assert.equal(await text(page, 'pool-hashrate'), formatHashrate((pool.windowDifficulty * 2 ** 32) / 600));
    assert.equal(await text(page, 'workers-online'), '2');
    assert.equal(await text(page, 'shares-last-hour'), String(pool.sharesLastHour));
    assert.equal(await text(page, 'blocks-found'), '1');

    const rows = page.getByTestId('block-row');
    assert.equal(await rows.count(), 10);
    assert.equal(await rows.first().getAttribute('data-height'), '11');
    const ours = page.locator('[data-testid="block-row"][data-found="true"]');
    assert.equal(await ours.count(), 1);
    assert.equal(await ours.getAttribute('data-height'), '9');
    assert.match((await ours.textContent()) ?? '', /Our pool · rigA · 50 BSV/);

    const workers = page.getByTestId('worker-row');
    assert.equal(await workers.count(), 3);
    assert.deepEqual(await workers.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-online'))), ['true', 'true', 'false']);
    assert.equal(await page.getByTestId('share-row').count(), 15);

    await page.getByTestId('live-status').and(page.locator('[data-state="live"]')).waitFor({ timeout: 60_000 });
    await page.close();
  });

  test('a new block appears without reloading the page', async () => {
    const page = await openDashboard();
    await page.getByTestId('chain-height').filter({ hasText: '11' }).waitFor({ timeout: 60_000 });
    await page.getByTestId('live-status').and(page.locator('[data-state="live"]')).waitFor({ timeout: 60_000 });
    // Browser-side snippets are strings: this file is type-checked without the DOM library.
    await page.evaluate('window.__sameDocument = true');

    // What the node does when its tip moves: write the rows, then publish the event.
    const [b] = await appendBlocks(db.pool, 1);
    await redis.publish(channelKey(prefix, Channel.BlockConnected), JSON.stringify({ hash: b.hex, height: b.height, prevHash: blocks[11].hex, time: b.time }));

    await page.getByTestId('chain-height').filter({ hasText: '12' }).waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('tip-hash').getAttribute('title'), b.hex);
    await page.locator('[data-testid="block-row"][data-height="12"]').waitFor({ timeout: 30_000 });
    assert.equal(await page.evaluate('window.__sameDocument'), true, 'the page was not reloaded');
    blocks.push(b);
    await page.close();
  });

  test('choosing a worker shows its shares only', async () => {
    const page = await openDashboard();
    await page.getByTestId('share-row').first().waitFor({ timeout: 60_000 });
    await page.getByTestId('share-worker-filter').selectOption(String(pool.workers.rigB));
    await page.waitForFunction(
      `(() => {
        const rows = [...document.querySelectorAll('[data-testid="share-row"]')];
        return rows.length === 10 && rows.every((r) => r.getAttribute('data-worker') === 'rigB');
      })()`,
      undefined,
      { timeout: 30_000 },
    );
    assert.match(await page.getByTestId('share-worker-filter').locator('option:checked').textContent() ?? '', new RegExp(`rigB \\(${MINER_B.slice(0, 8)}`));
    await page.close();
  });

  test('fits a phone screen without sideways scrolling of the page', async () => {
    const page = await openDashboard({ width: 390, height: 844 });
    await page.getByTestId('chain-height').filter({ hasText: /\d/ }).waitFor({ timeout: 60_000 });
    const { scroll, width } = await page.evaluate<{ scroll: number; width: number }>('({ scroll: document.documentElement.scrollWidth, width: window.innerWidth })');
    assert.ok(scroll <= width, `page is ${scroll}px wide on a ${width}px screen`);
    await page.close();
  });

  test('survives the API going away: polls, shows the problem, then goes live again', async () => {
    const page = await openDashboard();
    await page.getByTestId('live-status').and(page.locator('[data-state="live"]')).waitFor({ timeout: 60_000 });
    const port = api.port;
    await api.stop();
    await page.getByTestId('live-status').and(page.locator('[data-state="polling"]')).waitFor({ timeout: 30_000 });
    await page.getByTestId('api-error').waitFor({ timeout: 45_000 });
    api = await startApi(port);
    await page.getByTestId('live-status').and(page.locator('[data-state="live"]')).waitFor({ timeout: 90_000 });
    await page.getByTestId('api-error').waitFor({ state: 'detached', timeout: 45_000 });
    await page.close();
  });

  test('loads nothing from outside this machine and throws no page errors', () => {
    assert.deepEqual([...requestedHosts], ['127.0.0.1']);
    assert.deepEqual(pageErrors, []);
  });
});

describe('dashboard server', () => {
  test('a bad environment stops it at start with one line per problem', async () => {
    const bad = spawnNode(
      ['node_modules/next/dist/bin/next', 'start', 'apps/web', '--hostname', '127.0.0.1', '--port', String(await freePort())],
      { PATH: process.env.PATH, NEXT_TELEMETRY_DISABLED: '1', NEXT_PUBLIC_API_URL: 'ftp://example', NEXT_PUBLIC_API_WS_URL: 'http://x' },
      'web-bad',
    );
    const code = await Promise.race([bad.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000))]);
    if (code === 'timeout') await bad.stop(1_000);
    assert.equal(code, 1, bad.output());
    assert.match(bad.output(), /web: invalid configuration: NEXT_PUBLIC_API_URL "ftp:\/\/example" is not a URL starting with http:\/\/ or https:\/\//);
    assert.match(bad.output(), /web: invalid configuration: NEXT_PUBLIC_API_WS_URL "http:\/\/x" is not a URL starting with ws:\/\/ or wss:\/\//);
  });
});
