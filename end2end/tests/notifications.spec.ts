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

test.describe("on a phone", () => {
  test.use({ viewport: { width: 360, height: 800 } });

  test("the matrix stacks: every box is on screen, named by its channel, and its name ticks it", async ({ page }) => {
    const customer = newCustomer({ name: "Robin Hale", mobile: "518-555-0199" });
    await signIn(page, customer, "/account");
    await page.goto("/account/notifications");
    await hydrated(page);
    const holder = page.getByRole("region", { name: "Robin Hale" }).first();
    // Four columns of boxes beside the activities would run past a phone's edge: the table
    // scrolled sideways and only the first channel was in sight.
    const boxes = holder.getByRole("checkbox");
    await expect(boxes).toHaveCount(18); // six activities by email, text and mail (no phone for calls)
    const width = await page.evaluate(() => window.innerWidth);
    for (const box of await boxes.all()) {
      const place = (await box.boundingBox())!;
      expect(place.x + place.width, await box.getAttribute("aria-label")).toBeLessThanOrEqual(width);
    }
    const table = holder.getByRole("region", { name: "Notification choices of Robin Hale" });
    expect(await table.evaluate((region) => region.scrollWidth - region.clientWidth)).toBeLessThanOrEqual(0);
    // Each box shows its channel's name beside it, the name it has for speech input too;
    // pressing the name ticks the box.
    const byText = holder.locator("label", { has: page.getByLabel("Payment received by Text (SMS)") });
    await expect(byText).toHaveText("Text (SMS)");
    await byText.click();
    await expect(holder.getByLabel("Payment received by Text (SMS)")).toBeChecked();
    // No boxes for calls, nor the column's heading: the reason is said once, under the table.
    await expect(holder.getByText("Voice call", { exact: true })).toBeHidden();
    await expect(page.getByText("To get messages by voice call, add a phone number for Robin Hale first.")).toBeVisible();
    await holder.getByRole("button", { name: "Save notifications" }).click();
    // The first text to this number asks it to confirm.
    await expect(page.getByRole("status").filter({ hasText: /\w/ }).first()).toHaveText(
      "Saved the account notifications of Robin Hale. We are sending a text to (518) 555-0199: texts start once it replies YES.",
    );
    await page.reload();
    await expect(page.getByRole("region", { name: "Robin Hale" }).first().getByLabel("Payment received by Text (SMS)")).toBeChecked();
  });
});
