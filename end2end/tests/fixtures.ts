import { expect, test as base, type BrowserContext, type Page } from "@playwright/test";

/**
 * Every journey fails on a script error in the page or an error in the console: a front end that
 * renders but does not start (no island hydrates, forms only post plainly) must not pass. The one
 * console error tolerated is the browser's own note that a page or call was answered 4xx, which
 * journeys ask for on purpose (403 pages, 404 pages, a refused save).
 */
const EXPECTED = /^Failed to load resource: the server responded with a status of 4\d\d\b/;

function watch(page: Page, errors: string[]) {
  const where = () => page.url().replace(/^https?:\/\/[^/]+/, "");
  page.on("pageerror", (error) => errors.push(`page error on ${where()}: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !EXPECTED.test(message.text()))
      errors.push(`console error on ${where()}: ${message.text()}`);
  });
}

function watchContext(context: BrowserContext, errors: string[]) {
  for (const page of context.pages()) watch(page, errors);
  context.on("page", (page) => watch(page, errors));
}

export const test = base.extend<{ noBrowserErrors: void }>({
  noBrowserErrors: [
    async ({ browser, context }, use) => {
      const errors: string[] = [];
      watchContext(context, errors);
      // Journeys with two people open contexts of their own.
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (...args) => {
        const opened = await newContext(...args);
        watchContext(opened, errors);
        return opened;
      };
      await use();
      browser.newContext = newContext;
      expect(errors, "errors in the browser").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
