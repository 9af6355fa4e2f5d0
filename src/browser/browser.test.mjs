// The dashboard and a failed test's timeline report in a real browser: Debian's Chromium, driven
// by playwright-core (which downloads no browser). Starts the packaged jar with a control token,
// and fails, never skips, when Chromium cannot start. Screenshots go to target/browser/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const JAR = join(ROOT, 'proxy', 'target', 'chaos-proxy.jar');
const REPORT = join(ROOT, 'junit-extension', 'target', 'chaos-proxy-examples', 'Checkout.placesAnOrder.html');
const SHOTS = join(ROOT, 'target', 'browser');
const TOKEN = 'browser-test-token';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// As the machine notes say: without the background-networking flags Chromium keeps dialling out
// of a closed network; a fresh profile directory per run keeps runs apart.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WAIT = { timeout: 30_000 };

let proxyProcess;
let ports;
let context;
let profile;
let work;

/** Starts the jar and resolves with the port file once it printed its ready line. */
function startProxy() {
  work = mkdtempSync(join(tmpdir(), 'chaos-proxy-browser-'));
  const portFile = join(work, 'ports.json');
  proxyProcess = spawn('java', ['-jar', JAR, '--listen', '127.0.0.1:0', '--control', '127.0.0.1:0',
    '--control-token', TOKEN, '--port-file', portFile, '--max-attempts', '1', '--breaker-failures', '3',
    '--breaker-cooldown', '1m', '--seed', '7'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolvePorts, reject) => {
    let out = '';
    const giveUp = setTimeout(() => reject(new Error(`the proxy was not ready within 60 s:\n${out}`)), 60_000);
    proxyProcess.on('exit', (code) => reject(new Error(`the proxy exited with ${code} before it was ready:\n${out}`)));
    proxyProcess.stdout.on('data', (chunk) => {
      const wasReady = out.includes('ready');
      out += chunk;
      if (wasReady || !out.includes('ready')) return;
      // the ready line comes first, the port file right after it
      const readPorts = () => {
        if (!existsSync(portFile)) return setTimeout(readPorts, 20);
        clearTimeout(giveUp);
        resolvePorts(JSON.parse(readFileSync(portFile, 'utf8')));
      };
      readPorts();
    });
  });
}

/**
 * Sends a few good requests, then only ones the rule fails, until stopped: a success in between
 * would reset the breaker's count of consecutive failures. Bounded, so a stuck page never loops forever.
 */
function trafficUntil(stop) {
  const base = `http://127.0.0.1:${ports.proxies.default}`;
  const send = (path) => fetch(base + path).then((r) => r.text()).catch(() => null);
  return (async () => {
    for (let i = 0; i < 5; i++) await send('/cart');
    for (let i = 0; i < 600 && !stop.done; i++) {
      await send(`/orders/${i}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
}

before(async () => {
  assert.ok(existsSync(JAR), `${JAR} is missing: src/browser/run.sh builds it`);
  assert.ok(existsSync(REPORT), `${REPORT} is missing: src/browser/run.sh runs TimelineReportTest, which writes it`);
  mkdirSync(SHOTS, { recursive: true });
  ports = await startProxy();
  profile = mkdtempSync(join(tmpdir(), 'chaos-proxy-chromium-'));
  // launchPersistentContext passes --user-data-dir=profile: a fresh, empty profile.
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1200, height: 1250 },
  });
}, { timeout: 120_000 });

after(async () => {
  if (context) await context.close();
  if (proxyProcess && proxyProcess.exitCode === null) proxyProcess.kill('SIGTERM');
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the dashboard asks for the token, adds a rule through its form, shows it fire and a breaker open, and removes it', async () => {
  const page = await context.newPage();
  const control = `http://127.0.0.1:${ports.control}/`;
  const pageAnswer = await page.goto(control);
  assert.equal(pageAnswer.status(), 200, 'the page itself needs no token');

  await page.locator('#token-form').waitFor({ state: 'visible', ...WAIT });
  await page.fill('#token', TOKEN);
  await page.click('#token-form button');
  await page.locator('#proxies tr[data-proxy="default"] .breaker-CLOSED').waitFor(WAIT);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('chaosproxy.token')), TOKEN, 'kept in the tab');
  assert.equal(await page.locator('.uplot').count(), 2, 'two live charts');

  // a bad value: the API's error appears next to the field it names
  const form = page.locator('#rule-form');
  await form.locator('select[name="type"]').selectOption('error');
  await form.locator('input[name="status"]').fill('99');
  await form.locator('button[type="submit"]').click();
  await page.locator('[data-error-for="status"]').filter({ hasText: /status/ }).waitFor(WAIT);

  await form.locator('input[name="status"]').fill('503');
  await form.locator('input[name="name"]').fill('orders-down');
  await form.locator('input[name="match.path"]').fill('/orders/**');
  await form.locator('select[name="target"]').selectOption('upstream');
  await form.locator('button[type="submit"]').click();
  const rule = page.locator('#rules tbody tr', { hasText: 'orders-down' });
  await rule.waitFor(WAIT);
  assert.equal(await page.locator('[data-error-for="status"]').textContent(), '');

  const stop = { done: false };
  const traffic = trafficUntil(stop);
  try {
    await page.waitForFunction(() => {
      const fired = document.querySelector('#rules tbody tr td.fired');
      return fired && Number(fired.textContent) >= 3;
    }, null, WAIT);
    await page.locator('#proxies tr[data-proxy="default"] .breaker-OPEN').waitFor(WAIT);
    await page.locator('#events li[data-type="breaker"]', { hasText: 'CLOSED → OPEN' }).waitFor(WAIT);
    await page.locator('#journal tbody td.status-5xx').first().waitFor(WAIT);
    await page.locator('#journal tbody td.status-2xx').first().waitFor(WAIT);

    await page.fill('#path-filter', '/orders/**');
    await page.waitForFunction(() => {
      const paths = [...document.querySelectorAll('#journal tbody tr td:nth-child(5)')].map((td) => td.textContent);
      return paths.length > 0 && paths.every((p) => p.startsWith('/orders/'));
    }, null, WAIT);
    await page.waitForFunction(() => document.querySelector('#summary').textContent.includes('requests'), null, WAIT);
    await page.screenshot({ path: join(SHOTS, 'dashboard.png') }); // the first screenful: every panel, the journal's top
  } finally {
    stop.done = true;
    await traffic;
  }

  await rule.locator('button.remove').click();
  await page.locator('#rules tbody', { hasText: 'no rules installed' }).waitFor(WAIT);
  const left = await fetch(`${control}faults`, { headers: { Authorization: `Bearer ${TOKEN}` } }).then((r) => r.json());
  assert.deepEqual(left, [], 'the rule is gone from the proxy too');

  // a scenario from the catalog: its phase and the time left show, and it stops
  await page.selectOption('#scenario-name', 'outage-then-recovery');
  await page.click('#scenario-form button[type="submit"]');
  await page.locator('#scenario-running', { hasText: /outage-then-recovery: phase [12] of 2 · [\d.]+ s left/ }).waitFor(WAIT);
  await page.locator('#events li[data-type="phase"]', { hasText: 'outage-then-recovery' }).waitFor(WAIT);
  await page.click('#scenario-stop');
  await page.locator('#scenario-running', { hasText: 'none running' }).waitFor(WAIT);

  const anonymous = await fetch(`${control}status`);
  assert.equal(anonymous.status, 401, 'data calls still need the token');
  await page.close();
});

test('a failed test\'s timeline report shows its requests, faults, breaker transition and seed', async () => {
  const page = await context.newPage();
  await page.goto(pathToFileURL(REPORT).href);
  await page.locator('svg#timeline').waitFor(WAIT);

  const rows = page.locator('svg#timeline g.exchange');
  assert.equal(await rows.count(), 4, 'the four exchanges of the failed test');
  const labels = await rows.locator('text').allTextContents();
  assert.ok(labels.includes('GET /cart → 200'), labels.join(' | '));
  assert.equal(labels.filter((l) => l === 'GET /payments/charge → 503').length, 2, labels.join(' | '));
  assert.ok(labels.includes('GET /orders/1 → 503'), labels.join(' | '));
  assert.ok(labels.filter((l) => l.startsWith('⚡')).length === 2, 'both payment calls show the fault that fired');
  assert.equal(await page.locator('svg#timeline g.exchange[data-faults="f1"]').count(), 2);
  await page.locator('svg#timeline g.event[data-type="breaker"]', { hasText: 'CLOSED → OPEN' }).waitFor(WAIT);
  await page.locator('svg#timeline g.event[data-type="phase"]', { hasText: 'payments-outage' }).waitFor(WAIT);
  assert.match(await page.locator('#seed').textContent(), /class seed 4242/);
  assert.match(await page.locator('#failure').textContent(), /FAILED/);
  const box = await page.locator('svg#timeline').boundingBox();
  assert.ok(box.width > 500 && box.height > 100, 'the timeline is drawn');
  await page.screenshot({ path: join(SHOTS, 'timeline-report.png'), fullPage: true });
  await page.close();
});
