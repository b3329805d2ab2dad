import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { projectRoot } from '../../lib/config';

/** Debian's Chromium, installed by scripts/ensure-chromium.js (npm test runs it); never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where the browser tests write their screenshots (gitignored with the rest of .petstore/). */
export const ARTIFACTS = join(projectRoot, '.petstore', 'artifacts', 'storefront');

// Headless and quiet: no GPU, no QUIC, no first-run, background or update traffic; only 127.0.0.1 is reached.
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A phone's width (an iPhone 12–15's CSS pixels), and a laptop's. */
export const VIEWPORTS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 900 } } as const;

/** One customer's browser: its own fresh profile folder, a page, and what went wrong in it (page errors, CSP refusals). */
export interface CustomerBrowser {
  context: BrowserContext;
  page: Page;
  problems: string[];
  /** Saves a full-page screenshot as <name>.png in ARTIFACTS. */
  shot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh --user-data-dir (playwright's persistent context) at the given viewport. */
export async function openBrowser(viewport: { width: number; height: number }): Promise<CustomerBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run node scripts/ensure-chromium.js (npm test does)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'petstore-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  return {
    context,
    page,
    problems,
    async shot(name) {
      const path = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
