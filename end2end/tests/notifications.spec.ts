import { expect, test } from "./fixtures";
import { hydrated, newCustomer, signIn } from "./helpers";

test("the account holder chooses account notifications by channel", async ({ page }) => {
  const customer = newCustomer({ name: "Jamie Park" });
  await signIn(page, customer, "/account");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account notifications" }).click();
  await expect(page.getByRole("heading", { name: "Account notifications", level: 1 })).toBeVisible();
  await hydrated(page);
  const holder = page.getByRole("region", { name: "Jamie Park" }).first();
  // No phone number: calls and texts are not offered, and the page says what to add.
  await expect(holder.getByLabel("Statements by voice call")).toHaveCount(0);
  await expect(holder.getByLabel("Statements by email")).toBeEnabled();
  await expect(page.getByText("To get messages by voice call, add a phone number for Jamie Park first.")).toBeVisible();

  await holder.getByLabel("Statements by email").check();
  await holder.getByLabel("Payment received by mail").check();
  await holder.getByLabel("High usage by email").check();
  await holder.getByRole("button", { name: "Save notifications" }).click();
  // High usage needs its amount.
  await expect(holder.getByText("Enter the usage amount that triggers a high usage notice.")).toBeVisible();

  await holder.getByLabel("High usage amount (kWh per billing period)").fill("1,200");
  await holder.getByRole("button", { name: "Save notifications" }).click();
  await expect(page.getByRole("status").filter({ hasText: /\w/ }).first()).toHaveText(
    "Saved the account notifications of Jamie Park.",
  );
  await page.reload();
  const saved = page.getByRole("region", { name: "Jamie Park" }).first();
  await expect(saved.getByLabel("Statements by email")).toBeChecked();
  await expect(saved.getByLabel("Payment received by mail")).toBeChecked();
  await expect(saved.getByLabel("High usage amount (kWh per billing period)")).toHaveValue("1200");
  await expect(saved.getByLabel("Delinquency by email")).not.toBeChecked();
});
