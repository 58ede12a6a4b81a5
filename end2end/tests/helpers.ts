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

/** The longest one journey waits for another's code to be answered: a step's wait (30 s) and
 * the answer, for each journey ahead of it (two workers: one). */
const LOCK_WAIT_AT_MOST = 60_000;

/**
 * Sends a code of `secret` that no journey used yet with `send` (which types it and submits the
 * form), and waits for the server's answer. The server takes each code once, and the step before
 * and after now too, so journeys signing in as the same person in one step each get a step of
 * their own (and past those, wait for the next). It also refuses a code of a step before the last
 * one it took, so codes must reach it in the order they were chosen: one person's codes are
 * chosen and sent one at a time, behind a lock per person (a folder under the test data folder)
 * held until the server has answered, with the last step used in a file beside it.
 */
export async function sendFreshCode(
  page: Page,
  secret: string,
  email: string,
  send: (code: string) => Promise<void>,
) {
  const lock = join(DATA_DIR, `codes-${email}.lock`);
  const ledger = join(DATA_DIR, `codes-${email}.step`);
  await waitedFor(async () => {
    for (;;) {
      try {
        mkdirSync(lock);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }, LOCK_WAIT_AT_MOST);
  try {
    const last = Number((() => { try { return readFileSync(ledger, "utf8"); } catch { return "0"; } })());
    const now = Math.floor(Date.now() / 30_000);
    // A code of the previous step typed in the last seconds of this one is two steps old when
    // it arrives: then not earlier than now.
    const late = Date.now() % 30_000 > 22_000;
    const step = Math.max(late ? now : now - 1, last + 1);
    const wait = (step - 1) * 30_000 - Date.now();
    if (wait > 0) await waitedFor(() => new Promise((resolve) => setTimeout(resolve, wait + 500)), wait + 1_000);
    writeFileSync(ledger, String(step));
    const before = page.url();
    await send(totp(secret, step));
    await page.waitForURL((url) => url.href !== before);
  } finally {
    rmdirSync(lock);
  }
}

/** Runs `wait`, which takes at most `atMost` ms, giving the test the time it took back: waiting
 * for a code (or for another journey's sign-in to be answered) is not the journey being slow.
 * The test's deadline moves before the wait, so it cannot pass while waiting. */
async function waitedFor(wait: () => Promise<void>, atMost: number) {
  const started = Date.now();
  const timeout = test.info().timeout;
  test.info().setTimeout(timeout + atMost);
  await wait();
  test.info().setTimeout(timeout + (Date.now() - started));
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
  await sendFreshCode(page, secret, email, async (code) => {
    await page.getByLabel("Code from your authenticator app").fill(code);
    await page.getByRole("button", { name: "Continue" }).click();
  });
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
  await sendFreshCode(page, secret, who.email, async (code) => {
    await page.getByLabel("Code from your authenticator app").fill(code);
    await page.getByRole("button", { name: "Turn on and continue" }).click();
  });
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
