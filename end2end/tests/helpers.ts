import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { DATA_DIR, DATABASE_URL, PEAKDAY_BIN } from "../paths";

/** The demo staff's second factor, public like their passwords (server/src/demo.rs). */
export const DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

export const DEMO = {
  customer: { email: "demo@peakday.example", password: "peakday-demo", accountNumber: "3000012345" },
  agent: { email: "agent@peakday.example", password: "peakday-agent", secret: DEMO_TOTP_SECRET },
  pm: { email: "pm@peakday.example", password: "peakday-pm", secret: DEMO_TOTP_SECRET },
  admin: { email: "admin@peakday.example", password: "peakday-admin", secret: DEMO_TOTP_SECRET },
} as const;

/** Someone who signs in: staff (and customers who turned it on) have a second factor. */
export type SignIn = { email: string; password: string; secret?: string };

function base32(secret: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of secret.replace(/[\s=]/g, "").toUpperCase()) bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  const bytes = bits.match(/.{8}/g) ?? [];
  return Buffer.from(bytes.map((byte) => parseInt(byte, 2)));
}

/** The RFC 6238 code (SHA-1, six digits) of `secret` for 30-second step `step`. */
export function totp(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/**
 * A code of `secret` that no journey used yet: the server takes each code once, and takes the
 * step before and after now too, so two workers signing in as the same person in one step each
 * get a step of their own (and past those, wait for the next). The steps used are shared
 * between workers in a file under the test data folder, behind a lock.
 */
export async function freshCode(secret: string, email: string): Promise<string> {
  const lock = join(DATA_DIR, "codes.lock");
  const ledger = join(DATA_DIR, "codes.json");
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  let step: number;
  try {
    const used: Record<string, number> = JSON.parse((() => { try { return readFileSync(ledger, "utf8"); } catch { return "{}"; } })());
    const now = Math.floor(Date.now() / 30_000);
    // The server accepts the previous step too, but a code of the previous step typed in the
    // last seconds of this one is two steps old when it arrives: then not earlier than now.
    const late = Date.now() % 30_000 > 22_000;
    step = Math.max(late ? now : now - 1, (used[email] ?? 0) + 1);
    used[email] = step;
    writeFileSync(ledger, JSON.stringify(used));
  } finally {
    rmdirSync(lock);
  }
  const wait = (step - 1) * 30_000 - Date.now();
  if (wait > 0) {
    // Waiting for a code is not the journey being slow: the test gets the time back.
    test.info().setTimeout(test.info().timeout + wait + 1_000);
    await new Promise((resolve) => setTimeout(resolve, wait + 500));
  }
  return totp(secret, step);
}

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

/** Signs in through the form as a person would (with a code from the app, for those with a
 * second factor), and waits for the landing page. */
export async function signIn(page: Page, who: SignIn, landing: string) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  if (who.secret) await enterCode(page, who.secret, who.email);
  await expect(page).toHaveURL(landing);
}

/** The second step: a code from the authenticator app. */
export async function enterCode(page: Page, secret: string, email: string) {
  await expect(page).toHaveURL("/signin/verify");
  await page.getByLabel("Code from your authenticator app").fill(await freshCode(secret, email));
  await page.getByRole("button", { name: "Continue" }).click();
}

let staffCount = 0;

/**
 * A staff member of their own (`peakday add-staff`), signed in for the first time as a person
 * would: the one-time password, a password of their own, then two-step verification set up
 * from the page's key. Returns how they sign in from then on.
 */
export async function newStaff(
  page: Page,
  options: { role: "agent" | "program_manager" | "admin"; name: string; landing: string },
): Promise<SignIn> {
  staffCount += 1;
  const email = `staff-${process.pid % 100000}-${staffCount}-${Date.now() % 100000}@utility.example`;
  const printed = execFileSync(
    PEAKDAY_BIN,
    ["add-staff", "--role", options.role, "--email", email, "--name", options.name],
    { env: { ...process.env, DATABASE_URL, RUST_LOG: "warn" } },
  ).toString();
  const oneTime = /One-time password: (\S+)/.exec(printed)![1];
  return firstSignIn(page, { email, password: oneTime }, options.landing);
}

/** The first sign-in of staff with a one-time password: their own password, then the app. */
export async function firstSignIn(page: Page, who: SignIn, landing: string): Promise<SignIn> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL("/signin/new-password");
  const password = `copper kettle ${who.email.slice(0, 12)} lantern`;
  await page.getByLabel("New password", { exact: true }).fill(password);
  await page.getByLabel("New password again").fill(password);
  await page.getByRole("button", { name: "Save password" }).click();
  await expect(page).toHaveURL("/signin/two-step");
  await expect(page.getByRole("img", { name: /QR code/ })).toBeVisible();
  const secret = (await page.locator("code.secret").innerText()).replace(/\s/g, "");
  await page.getByLabel("Code from your authenticator app").fill(await freshCode(secret, who.email));
  await page.getByRole("button", { name: "Turn on and continue" }).click();
  await expect(page).toHaveURL(landing);
  return { email: who.email, password, secret };
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
  const password = "amber-kettle-orbit-73";
  const name = options.name ?? "Casey Morgan";
  execFileSync(
    PEAKDAY_BIN,
    ["add-customer", "--account-number", accountNumber, "--name", name, "--email", email,
      "--rate-class", options.rateClass ?? "R-PTR", ...(options.mobile ? ["--mobile", options.mobile] : [])],
    { env: { ...process.env, DATABASE_URL, PEAKDAY_CUSTOMER_PASSWORD: password, RUST_LOG: "warn" } },
  );
  return { email, password, name, accountNumber };
}
