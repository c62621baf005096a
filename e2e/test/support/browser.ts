import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

export const ARTIFACTS = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../artifacts');

export function launch(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface ConsoleLog {
  messages: string[];
  /** Errors and warnings (console.error/warn, uncaught exceptions). */
  problems(): string[];
}

/** Records everything the page logs, from the first byte on. */
export function recordConsole(page: Page): ConsoleLog {
  const messages: string[] = [];
  const problems: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    const line = `[${message.type()}] ${message.text()}`;
    messages.push(line);
    if (message.type() === 'error' || message.type() === 'warning') problems.push(line);
  });
  page.on('pageerror', (error) => {
    messages.push(`[pageerror] ${error.message}`);
    problems.push(`[pageerror] ${error.message}`);
  });
  return { messages, problems: () => problems };
}

/**
 * Installed before any page script runs: records every value the watched attribute ever takes on elements with
 * `data-testid` in `ids`, including nodes the HTML parser inserts, so a variant that flashes for one frame and is
 * replaced during hydration is still caught.
 */
export async function watchVariants(context: BrowserContext | Page, ids: string[], attribute: string): Promise<void> {
  await context.addInitScript(
    ({ ids, attribute }) => {
      const seen: Record<string, string[]> = {};
      (window as unknown as { __seen: typeof seen }).__seen = seen;
      const record = (element: Element): void => {
        const id = element.getAttribute('data-testid');
        if (id === null || !ids.includes(id)) return;
        const value = element.getAttribute(attribute) ?? '(none)';
        const list = (seen[id] ??= []);
        if (list[list.length - 1] !== value) list.push(value);
      };
      const scan = (node: Node): void => {
        if (node instanceof Element) {
          record(node);
          node.querySelectorAll('[data-testid]').forEach(record);
        }
      };
      new MutationObserver((mutations) => {
        for (const mutation of mutations) {
          if (mutation.type === 'attributes' && mutation.target instanceof Element) record(mutation.target);
          mutation.addedNodes.forEach(scan);
        }
      }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: [attribute, 'data-testid'] });
    },
    { ids, attribute },
  );
}

export function seenVariants(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(() => (window as unknown as { __seen: Record<string, string[]> }).__seen);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}
