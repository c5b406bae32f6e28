// Headless Debian chromium driven by puppeteer-core, for tests that assert on what a person sees. Every
// page records its console errors and uncaught exceptions, so a test can require there were none.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { findChromium } from './binaries.js';

export interface WatchedPage {
  page: Page;
  /** Console errors, failed requests and page exceptions seen so far. */
  errors: string[];
}

const ROOT = resolve(import.meta.dirname, '..', '..');
/** Where every test run's screenshots go (ignored by git): one per page and width, to look at. */
export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'screenshots');
/** The documented screenshots (README, docs/), rewritten only by `npm run docs:screenshots`. */
export const DOCS_SCREENSHOT_DIR = join(ROOT, 'docs', 'screenshots');
/** Set by `npm run docs:screenshots`: the run seeds a day of history and refreshes docs/screenshots/. */
export const DOCS_SCREENSHOTS = process.env.PERISCOPE_DOCS_SCREENSHOTS === '1';

export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: findChromium(),
    headless: true,
    // As root (CI) chromium needs --no-sandbox; no GPU in containers.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--font-render-hinting=none'],
  });
}

export async function watchedPage(browser: Browser, width = 1400, height = 900): Promise<WatchedPage> {
  const page = await browser.newPage();
  await page.setViewport({ width, height });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url ?? ''})`);
  });
  page.on('pageerror', (error) => errors.push(`exception: ${error instanceof Error ? error.message : String(error)}`));
  page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return { page, errors };
}

/**
 * A full-page screenshot into test-results/screenshots/<name>; with `docs` (a file name under
 * docs/screenshots/) also there, but only in a `npm run docs:screenshots` run, so `npm test` leaves the
 * checkout as it was.
 */
export async function screenshot(page: Page, name: string, options: { docs?: string } = {}): Promise<string> {
  const file = join(SCREENSHOT_DIR, name);
  await mkdir(dirname(file), { recursive: true });
  await page.screenshot({ path: file as `${string}.png`, fullPage: true });
  if (options.docs && DOCS_SCREENSHOTS) {
    await mkdir(DOCS_SCREENSHOT_DIR, { recursive: true });
    await copyFile(file, join(DOCS_SCREENSHOT_DIR, options.docs));
  }
  return file;
}
