import { expect, test } from "./fixtures";
import { DEMO, newCustomer, newStaff, signIn } from "./helpers";

test("a new staff member chooses a password and sets up two-step verification at first sign-in", async ({ page }) => {
  const agent = await newStaff(page, { role: "agent", name: "Riley Quinn", landing: "/agent" });
  await expect(page.getByRole("heading", { name: "Customer service", level: 1 })).toBeVisible();
  await page.getByRole("link", { name: "Sign-in & security" }).click();
  await expect(page.getByText(/On: you sign in with your password and a code from your authenticator app\. 10 recovery codes left\./)).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  // From now on: their own password, then a code.
  await signIn(page, agent, "/agent");
});

test("a customer changes their password and their other browser is signed out", async ({ browser }) => {
  const customer = newCustomer({ name: "Morgan Vale" });
  const phone = await (await browser.newContext()).newPage();
  await signIn(phone, customer, "/account");
  const laptop = await (await browser.newContext()).newPage();
  await signIn(laptop, customer, "/account");
  await laptop.getByRole("link", { name: "Sign-in & security" }).click();
  await expect(laptop.getByRole("heading", { name: "Sign-in & security", level: 1 })).toBeVisible();
  const sessions = laptop.getByRole("region", { name: "Where you are signed in" });
  await expect(sessions.getByRole("listitem")).toHaveCount(2);
  await expect(sessions.getByText("(this browser)")).toHaveCount(1);

  const password = laptop.getByRole("region", { name: "Password" });
  // The rule for a new password is read with its field, not left between two fields.
  await expect(password.getByLabel("New password", { exact: true })).toHaveAccessibleDescription(
    "At least 8 characters. A few unrelated words are easy to remember and hard to guess.",
  );
  await password.getByLabel("Current password").fill("not my password");
  await password.getByLabel("New password", { exact: true }).fill("violet harbor teapot 42");
  await password.getByLabel("New password again").fill("violet harbor teapot 42");
  await password.getByRole("button", { name: "Change password" }).click();
  await expect(laptop.getByText("That is not your current password.")).toBeVisible();

  await laptop.getByLabel("Current password").fill(customer.password);
  await laptop.getByLabel("New password", { exact: true }).fill("violet harbor teapot 42");
  await laptop.getByLabel("New password again").fill("violet harbor teapot 42");
  await laptop.getByRole("button", { name: "Change password" }).click();
  await expect(laptop.getByRole("status")).toContainText("Your password is changed.");

  await phone.getByRole("link", { name: "Alerts & recipients" }).click();
  await expect(phone).toHaveURL(/\/signin/);
  await signIn(phone, { email: customer.email, password: "violet harbor teapot 42" }, "/account");
});

test("customer service ends a customer's sessions and an administrator gives them a reset link", async ({ browser }) => {
  const customer = newCustomer({ name: "Jesse Park" });
  const customerPage = await (await browser.newContext()).newPage();
  await signIn(customerPage, customer, "/account");

  const agent = await (await browser.newContext()).newPage();
  await signIn(agent, DEMO.agent, "/agent");
  await agent.goto(`/agent/accounts/${customer.accountNumber}`);
  const signInCard = agent.getByRole("region", { name: "Sign-in" });
  await expect(signInCard).toContainText("1 open");
  await expect(signInCard.getByRole("button", { name: "Reset sign-in" })).toHaveCount(0);
  await signInCard.getByRole("button", { name: "End all sessions" }).click();
  await expect(agent.getByRole("status")).toContainText("Ended 1 session: Jesse Park must sign in again.");
  await expect(agent.getByRole("region", { name: "Sign-in" })).toContainText("None");

  await customerPage.getByRole("link", { name: "Activity" }).click();
  await expect(customerPage).toHaveURL(/\/signin/);

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, DEMO.admin, "/admin");
  await admin.goto(`/agent/accounts/${customer.accountNumber}`);
  await admin.getByRole("region", { name: "Sign-in" }).getByRole("button", { name: "Reset sign-in" }).click();
  await expect(admin.getByRole("heading", { name: "Sign-in reset link", level: 1 })).toBeVisible();
  const link = await admin.locator(".reset-link code").innerText();
  expect(link).toContain("/signin/reset?token=");

  await customerPage.goto(link.replace(/^https?:\/\/[^/]+/, ""));
  await expect(customerPage.getByText(`This link resets the sign-in of ${customer.name}.`)).toBeVisible();
  await customerPage.getByLabel("New password", { exact: true }).fill("quiet meadow lantern 8");
  await customerPage.getByLabel("New password again").fill("quiet meadow lantern 8");
  await customerPage.getByRole("button", { name: "Save password" }).click();
  await expect(customerPage.getByRole("status")).toHaveText("Your new password is saved. Sign in with it.");
  await signIn(customerPage, { email: customer.email, password: "quiet meadow lantern 8" }, "/account");
});
