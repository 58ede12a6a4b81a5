import { execFileSync } from "node:child_process";
import { expect, type Page } from "@playwright/test";
import { DATABASE_URL, PEAKDAY_BIN } from "../paths";

export const DEMO = {
  customer: { email: "demo@peakday.example", password: "peakday-demo", accountNumber: "3000012345" },
  agent: { email: "agent@peakday.example", password: "peakday-agent" },
  pm: { email: "pm@peakday.example", password: "peakday-pm" },
  admin: { email: "admin@peakday.example", password: "peakday-admin" },
} as const;

/**
 * Waits until the WASM has hydrated the page and every island on it, so client-side behaviour is
 * live. Lazy islands hydrate after their own code arrives, after the page's `data-hydrated`.
 */
export async function hydrated(page: Page) {
  // The debug WASM is large; on a busy 2-core machine compiling it can take a while.
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1, { timeout: 25_000 });
  await expect
    .poll(
      () =>
        page.evaluate(
          () =>
            Number(document.body.dataset.islandsHydrated ?? 0) >=
            document.querySelectorAll("leptos-island").length,
        ),
      { timeout: 25_000 },
    )
    .toBe(true);
}

/** Signs in through the form as a person would, and waits for the landing page. */
export async function signIn(page: Page, who: { email: string; password: string }, landing: string) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(landing);
}

let customers = 0;

/**
 * A customer of their own, so journeys that change an account never meet: an account with one
 * electric service point, its holder as primary recipient (email only), and a sign-in.
 */
export function newCustomer(options: { name?: string; rateClass?: string; mobile?: string } = {}) {
  customers += 1;
  const serial = `${process.pid % 100000}`.padStart(5, "0") + `${customers}`.padStart(3, "0");
  const accountNumber = `7${serial}${Date.now() % 1000}`.padEnd(12, "0");
  const email = `e2e-${serial}@peakday.example`;
  const password = "e2e-password-1";
  const name = options.name ?? "Casey Morgan";
  execFileSync(
    PEAKDAY_BIN,
    ["add-customer", "--account-number", accountNumber, "--name", name, "--email", email,
      "--rate-class", options.rateClass ?? "R-PTR", ...(options.mobile ? ["--mobile", options.mobile] : [])],
    { env: { ...process.env, DATABASE_URL, PEAKDAY_CUSTOMER_PASSWORD: password, RUST_LOG: "warn" } },
  );
  return { email, password, name, accountNumber };
}
