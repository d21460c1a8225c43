import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { PASSWORD } from './fixture.ts';

/**
 * What the browser tests share (issue 13): Debian's chromium driven by playwright-core, with the flags
 * that keep it off the network (CI installs it: scripts/install-system-deps.sh), and the steps every
 * test takes on a page: log in as a user, log out, and a full-page screenshot that must not be empty.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const skipWithoutChromium = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (scripts/install-system-deps.sh installs it)`;
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function pageSteps(page: Page, base: string, shots: string) {
  return {
    shot: async (name: string) => {
      const file = join(shots, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      assert.ok(statSync(file).size > 1000, `${name} screenshot is not empty`);
    },
    login: async (user: string) => {
      await page.goto(`${base}/login`);
      await page.fill('input[name=username]', user);
      await page.fill('input[name=password]', PASSWORD);
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('main form button')]);
    },
    logout: () => Promise.all([page.waitForURL(/\/login$/), page.click('header form button')]),
  };
}
