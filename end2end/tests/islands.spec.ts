import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { hydrated, newCustomer, signIn } from "./helpers";

// Each island starts in the browser and does what only its WASM can: check a form with the
// shared rules before anything is posted. `scripts/bench.sh` runs these against the release
// build before it reports bundle figures; the fixture fails them on any browser error.

/** Counts the posts a page makes, so a check done in the browser is seen to send nothing. */
function countPosts(page: Page) {
  const posts = { count: 0 };
  page.on("request", (request) => {
    if (request.method() === "POST") posts.count += 1;
  });
  return posts;
}

test("the sign-in island checks the email before anything is sent", async ({ page }) => {
  await page.goto("/signin");
  await hydrated(page);
  const posts = countPosts(page);
  await page.getByLabel("Email").fill("jordan-at-example");
  await page.getByLabel("Password").fill("whatever");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Enter an email address like name@example.com.")).toBeVisible();
  expect(posts.count).toBe(0);
});

test("the alerts island checks a new recipient before anything is sent", async ({ page }) => {
  await signIn(page, newCustomer(), "/account");
  await page.goto("/account/alerts");
  await hydrated(page);
  const posts = countPosts(page);
  const section = page.getByRole("region", { name: "Add a recipient" });
  await section.locator("summary", { hasText: "Add recipient" }).click();
  await section.getByLabel("Name").fill("Typo Person");
  await section.getByLabel("Email").fill("typo@");
  await section.getByRole("button", { name: "Save", exact: true }).click();
  await expect(section.getByText("Enter an email address like name@example.com.")).toBeVisible();
  expect(posts.count).toBe(0);
});

test("the notifications island saves in place and announces the server's words", async ({ page }) => {
  const customer = newCustomer({ name: "Noor Haddad" });
  await signIn(page, customer, "/account");
  await page.goto("/account/notifications");
  await hydrated(page);
  const holder = page.getByRole("region", { name: customer.name }).first();
  await holder.getByLabel("Statements by email").check();
  await holder.getByRole("button", { name: "Save notifications" }).click();
  // A plain post would reload the page as /account/notifications?saved=…
  await expect(page.getByRole("status").filter({ hasText: /\w/ }).first()).toHaveText(
    "Saved the account notifications of Noor Haddad.",
  );
  await expect(page).toHaveURL("/account/notifications");
});

test("the add-device island checks the device before anything is sent", async ({ page }) => {
  await signIn(page, newCustomer(), "/account");
  await page.goto("/account/devices");
  await hydrated(page);
  const posts = countPosts(page);
  await page.getByLabel("Make (brand)").fill("Tesla");
  await page.getByLabel("Capacity (kW; kWh for a battery)").fill("zero");
  await page.getByRole("button", { name: "Add device" }).click();
  await expect(page.getByText("Enter the model.")).toBeVisible();
  expect(posts.count).toBe(0);
});
