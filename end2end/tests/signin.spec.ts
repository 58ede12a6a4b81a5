import { expect, test } from "./fixtures";
import { DEMO, hydrated, sendFreshCode, signIn } from "./helpers";

test("a customer signs in and sees their own account number", async ({ page }) => {
  await signIn(page, DEMO.customer, "/account");
  await expect(page.getByRole("heading", { name: "My account", level: 1 })).toBeVisible();
  await expect(page.getByText(DEMO.customer.accountNumber)).toBeVisible();
  await expect(page.getByText("12 Maple Street, Springfield, NY 12345")).toBeVisible();
  await expect(page.getByRole("banner")).toContainText("Signed in as Jordan Rivera");
});

test("a wrong password shows the error and stays on the sign-in page", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(DEMO.pm.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/signin\?notice=invalid/);
  await expect(page.getByRole("alert")).toHaveText(/The email or password is not right/);
  // Only the password is to be typed again, and the address is not in the URL.
  await expect(page.getByLabel("Email")).toHaveValue(DEMO.pm.email);
  await expect(page.getByLabel("Password")).toHaveValue("");
  expect(page.url()).not.toContain("peakday.example");
});

test("a malformed email is flagged in the browser before anything is sent", async ({ page }) => {
  await page.goto("/signin");
  await hydrated(page);
  await page.getByLabel("Email").fill("jordan-at-example");
  await page.getByLabel("Password").fill("whatever");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Enter an email address like name@example.com.")).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Email")).toBeFocused();
  await expect(page).toHaveURL("/signin");
});

test("an agent signs in and lands on the customer service page", async ({ page }) => {
  await signIn(page, DEMO.agent, "/agent");
  await expect(page.getByRole("heading", { name: "Customer service", level: 1 })).toBeVisible();
  await expect(page.getByText("Demo Power & Light")).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Customer service" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Administration" })).toHaveCount(0);
});

test("a customer opening the agent page is refused", async ({ page }) => {
  await signIn(page, DEMO.customer, "/account");
  const response = await page.goto("/agent");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  await expect(page.getByText("Demo Power & Light")).toHaveCount(0);
});

test("signing out ends the session and the back button does not bring the account back", async ({ page }) => {
  await signIn(page, DEMO.customer, "/account");
  await expect(page.getByText(DEMO.customer.accountNumber)).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL("/signin?notice=signed_out");
  await expect(page.getByRole("status").filter({ hasText: "You have signed out." })).toBeVisible();

  await page.goBack();
  await expect(page).toHaveURL(/\/signin/);
  await expect(page.getByText(DEMO.customer.accountNumber)).toHaveCount(0);

  // The cookie is gone, so the account page asks for a sign-in again.
  await page.goto("/account");
  await expect(page).toHaveURL("/signin?next=%2Faccount");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});

test("sign-in works by keyboard alone and returns to the page asked for", async ({ page }) => {
  await page.goto("/programs");
  await expect(page).toHaveURL("/signin?next=%2Fprograms");
  await page.getByLabel("Email").focus();
  await page.keyboard.type(DEMO.pm.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(DEMO.pm.password);
  await page.keyboard.press("Enter");
  // Staff: the code from their authenticator app, typed and sent from the keyboard too.
  await expect(page).toHaveURL("/signin/verify");
  await page.getByLabel("Code from your authenticator app").focus();
  await sendFreshCode(page, DEMO.pm.secret, DEMO.pm.email, async (code) => {
    await page.keyboard.type(code);
    await page.keyboard.press("Enter");
  });
  await expect(page).toHaveURL("/programs");
  await expect(page.getByRole("heading", { name: "Programs", level: 1 })).toBeVisible();
});

test("an administrator sees the staff list", async ({ page }) => {
  await signIn(page, DEMO.admin, "/admin");
  const staff = page.getByRole("region", { name: "Staff" });
  await expect(staff.getByRole("rowheader", { name: "Alex Agent" })).toBeVisible();
  await expect(staff.getByRole("row", { name: /Morgan Manager.*Program manager/ })).toBeVisible();
});
