import { expect, type Page } from "@playwright/test";

export const DEMO = {
  customer: { email: "demo@peakday.example", password: "peakday-demo", accountNumber: "3000012345" },
  agent: { email: "agent@peakday.example", password: "peakday-agent" },
  pm: { email: "pm@peakday.example", password: "peakday-pm" },
  admin: { email: "admin@peakday.example", password: "peakday-admin" },
} as const;

/** Waits until the WASM has hydrated the page, so client-side behaviour is live. */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
}

/** Signs in through the form as a person would, and waits for the landing page. */
export async function signIn(page: Page, who: { email: string; password: string }, landing: string) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(landing);
}
