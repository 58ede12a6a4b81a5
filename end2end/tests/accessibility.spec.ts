import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { execFileSync } from "node:child_process";
import { DATABASE_URL, PEAKDAY_BIN } from "../paths";
import { DEMO, hydrated, sendFreshCode, signIn } from "./helpers";

const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

async function expectNoViolations(page: Page, what: string) {
  await hydrated(page);
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`);
  expect(summary, `${what} has accessibility violations`).toEqual([]);
}

for (const width of [1280, 360]) {
  test.describe(`at ${width} px wide`, () => {
    test.use({ viewport: { width, height: 800 } });

    test("the sign-in page, with and without an error, is accessible", async ({ page }) => {
      await page.goto("/signin");
      await expectNoViolations(page, "/signin");
      await page.goto("/signin?notice=invalid");
      await expectNoViolations(page, "/signin with an error");
    });

    test("the 404 page is accessible", async ({ page }) => {
      const response = await page.goto("/no-such-page");
      expect(response?.status()).toBe(404);
      await expectNoViolations(page, "404");
    });

    test("the customer's pages are accessible", async ({ page }) => {
      // Several pages, each waiting for the debug WASM to hydrate on a busy 2-core machine.
      test.slow();
      await signIn(page, DEMO.customer, "/account");
      await expectNoViolations(page, "/account");
      for (const path of ["/account/alerts", "/account/notifications", "/account/activity"]) {
        await page.goto(path);
        await expectNoViolations(page, path);
      }
      // With the disclosures open, so their forms are checked too.
      await page.goto("/account/alerts");
      await hydrated(page);
      for (const summary of await page.locator("summary").all()) await summary.click();
      await expectNoViolations(page, "/account/alerts with every form open");
      await page.goto("/admin");
      await expectNoViolations(page, "403");
    });

    test("the staff pages are accessible", async ({ page }) => {
      // Several pages, each waiting for the debug WASM to hydrate on a busy 2-core machine.
      test.slow();
      await signIn(page, DEMO.admin, "/admin");
      await expectNoViolations(page, "/admin");
      // The staff table scrolls sideways inside its region; the page itself never does.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, "/admin").toBeLessThanOrEqual(0);
      await page.goto("/agent");
      await expectNoViolations(page, "/agent");
      await page.goto("/agent?q=rivera");
      await expectNoViolations(page, "/agent with results");
      await page.goto("/agent?q=x");
      await expectNoViolations(page, "/agent with a refused query");
      await page.goto("/programs");
      await expectNoViolations(page, "/programs");
    });

    test("admin mode is accessible", async ({ page }) => {
      // Several pages, each waiting for the debug WASM to hydrate on a busy 2-core machine.
      test.slow();
      await signIn(page, DEMO.agent, "/agent");
      for (const sub of ["", "/alerts", "/notifications", "/events", "/activity"]) {
        const path = `/agent/accounts/3000012345${sub}`;
        await page.goto(path);
        await expect(page.getByText("Acting for Jordan Rivera, account 3000012345.")).toBeVisible();
        await expectNoViolations(page, path);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, path).toBeLessThanOrEqual(0);
      }
      // A number nobody has: a page of its own, titled, and the way back to the search.
      const missing = await page.goto("/agent/accounts/9999999999/alerts");
      expect(missing?.status()).toBe(404);
      await expect(page).toHaveTitle("Account not found · Peakday");
      await expect(page.getByRole("heading", { level: 1, name: "Account not found" })).toBeVisible();
      await expectNoViolations(page, "a missing account in admin mode");
      await page.getByRole("link", { name: "Back to the account search" }).click();
      await expect(page).toHaveURL(/\/agent$/);
    });

    test("the programs and devices pages are accessible, without sideways scroll", async ({ page }) => {
      // Several pages and sign-ins, each waiting for the debug WASM on a busy 2-core machine.
      test.slow();
      const check = async (path: string) => {
        await page.goto(path);
        await hydrated(page);
        for (const summary of await page.locator("summary").all()) await summary.click();
        await expectNoViolations(page, path);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, path).toBeLessThanOrEqual(0);
      };
      await signIn(page, DEMO.customer, "/account");
      await check("/account/programs");
      await check("/account/devices");
      await check("/account/events");
      await page.getByRole("button", { name: "Sign out" }).click();
      await signIn(page, DEMO.agent, "/agent");
      // Harold's account: a medical flag, so reasons instead of forms.
      await check("/agent/accounts/3000054321/programs");
      await check("/agent/accounts/3000054321/devices");
      await page.getByRole("button", { name: "Sign out" }).click();
      await signIn(page, DEMO.pm, "/programs");
      await check("/programs");
      await check("/programs/1");
      await check("/programs/1/events");
    });

    test("signing in in steps and the security pages are accessible, without sideways scroll", async ({ page }) => {
      test.slow();
      const check = async (what: string) => {
        await expectNoViolations(page, what);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, what).toBeLessThanOrEqual(0);
      };
      // A staff member's first sign-in: a password of their own, then two-step verification.
      const printed = execFileSync(
        PEAKDAY_BIN,
        ["add-staff", "--role", "admin", "--email", `a11y-${width}-${Date.now() % 100000}@utility.example`, "--name", "Avery Reed"],
        { env: { ...process.env, DATABASE_URL, RUST_LOG: "warn" } },
      ).toString();
      const email = /Added Avery Reed <([^>]+)>/.exec(printed)![1];
      const oneTime = /One-time password: (\S+)/.exec(printed)![1];
      await page.goto("/signin");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(oneTime);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page).toHaveURL("/signin/new-password");
      await check("/signin/new-password");
      await page.getByLabel("New password", { exact: true }).fill("short");
      await page.getByLabel("New password again").fill("short");
      await page.getByRole("button", { name: "Save password" }).click();
      await expect(page.getByText("Use at least 12 characters.")).toBeVisible();
      await check("/signin/new-password with a problem");
      await page.getByLabel("New password", { exact: true }).fill("granite willow parcel 55");
      await page.getByLabel("New password again").fill("granite willow parcel 55");
      await page.getByRole("button", { name: "Save password" }).click();
      await expect(page).toHaveURL("/signin/two-step");
      await check("/signin/two-step");
      const secret = (await page.locator("code.secret").innerText()).replace(/\s/g, "");
      await sendFreshCode(page, secret, email, async (code) => {
        await page.getByLabel("Code from your authenticator app").fill(code);
        await page.getByRole("button", { name: "Turn on and continue" }).click();
      });
      await expect(page).toHaveURL("/admin");
      await page.goto("/security");
      await check("/security");
      await page.goto("/agent/accounts/3000012345");
      await check("the admin-mode account page with the customer's sign-in");
      await page.getByRole("region", { name: "Sign-in" }).getByRole("button", { name: "Reset sign-in" }).click();
      await check("the reset link page");
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.goto("/signin");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill("granite willow parcel 55");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page).toHaveURL("/signin/verify");
      await check("/signin/verify");
    });

    test("nothing scrolls sideways, and each box's label starts beside it", async ({ page }) => {
      // Several pages, each waiting for the debug WASM to hydrate on a busy 2-core machine.
      test.slow();
      await signIn(page, DEMO.customer, "/account");
      for (const path of ["/account", "/account/alerts", "/account/notifications", "/account/activity"]) {
        await page.goto(path);
        await hydrated(page);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, path).toBeLessThanOrEqual(0);
        // A label too long for its line wraps beside its box, not below it ("Peak Time Rebate
        // day alert" at 360 px).
        const dropped = await page.evaluate(() =>
          [...document.querySelectorAll(".check")]
            .filter((check) => {
              const box = check.querySelector("input")!.getBoundingClientRect();
              return check.querySelector("label")!.getBoundingClientRect().top >= box.bottom;
            })
            .map((check) => check.querySelector("label")!.textContent),
        );
        expect(dropped, `${path}: labels below their boxes`).toEqual([]);
      }
    });
  });
}
