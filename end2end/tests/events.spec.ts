import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { DEMO, newCustomer, signIn } from "./helpers";

// The demo seeds Jordan's registered thermostat and an event of Smart Thermostat Rewards in
// three days, 2:00–6:00 PM (target 3 kW, the thermostat 3.5 kW): these journeys start there.

/** YYYY-MM-DD, `days` from today. */
function dayFromNow(days: number): string {
  const day = new Date(Date.now() + days * 24 * 3600 * 1000);
  return day.toISOString().slice(0, 10);
}

/** The card of the event whose heading shows `hours`. */
function eventCard(page: Page, hours: string) {
  return page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: new RegExp(hours) }) });
}

test("a program manager's event is refused with the rule named, then called and reserved", async ({ page }) => {
  test.slow();
  await signIn(page, DEMO.pm, "/programs");
  const row = page.getByRole("row").filter({ hasText: "Smart Thermostat Rewards" });
  await row.getByRole("link", { name: "Events", exact: true }).click();
  await expect(page).toHaveURL("/programs/1/events");
  await expect(page.getByRole("heading", { name: "Smart Thermostat Rewards: events" })).toBeVisible();

  const day = dayFromNow(6);
  await page.getByLabel("Day", { exact: true }).fill(day);
  await page.getByLabel("Starts at").fill("10:00");
  await page.getByLabel("Ends at").fill("17:00");
  await page.getByLabel("Customers told on").fill(dayFromNow(0));
  await page.getByLabel("Customers told at").fill("00:00");
  await page.getByLabel("Reduction to aim for, kW").fill("2");
  await page.getByRole("button", { name: "Call event" }).click();
  await expect(page.getByText("This program allows events of 4 hours at most; this one lasts 7 hours.")).toBeVisible();
  await expect(page.getByLabel("Ends at")).toHaveValue("17:00");

  await page.getByLabel("Ends at").fill("12:00");
  await page.getByRole("button", { name: "Call event" }).click();
  await expect(page.getByRole("status")).toContainText("Event called for");
  const called = eventCard(page, "10:00 AM–12:00 PM");
  await expect(called).toContainText("Scheduled");
  await expect(called).toContainText("Viable");
  // Jordan's thermostat, and any other test's registered one.
  await expect(called).toContainText(/\d+(\.\d)? kW from \d+ devices?/);
});

test("a customer sees the peak day, opts out, and the program manager sees it fall below target", async ({ page }) => {
  test.slow();
  await signIn(page, DEMO.customer, "/account");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Peak days" }).click();
  await expect(page).toHaveURL("/account/events");
  await expect(page.getByText("Smart Thermostat Rewards: 3 of 3 opt-outs left this season.")).toBeVisible();
  const demo = eventCard(page, "2:00–6:00 PM");
  await expect(demo).toContainText("Smart thermostat (ecobee SmartThermostat Premium): Taking part");
  await expect(demo).toContainText("your thermostat is eased a few degrees");
  await expect(demo).toContainText("Earn $1.00 for each kWh you use less than usual");

  await demo.locator("summary", { hasText: "Opt out" }).click();
  await expect(demo).toContainText("You will have 2 opt-outs left this season.");
  await demo.getByRole("button", { name: "Opt out of this event" }).click();
  await expect(page.getByRole("status")).toContainText("You have opted out of the event on");
  const optedOut = eventCard(page, "2:00–6:00 PM");
  await expect(optedOut).toContainText("You opted out of this event");
  await expect(optedOut).toContainText("Your devices will not be adjusted during this event, and it earns no credit.");
  await expect(optedOut, "an opted-out event promises no credit").not.toContainText("Earn $1.00");
  await expect(optedOut).not.toContainText("eased a few degrees");
  await expect(page.getByText("Smart Thermostat Rewards: 2 of 3 opt-outs left this season.")).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await signIn(page, DEMO.pm, "/programs");
  await page.goto("/programs/1/events");
  const event = eventCard(page, "2:00–6:00 PM");
  await expect(event).toContainText("Below target by 3 kW");
  await event.locator("summary", { hasText: "History" }).click();
  await expect(event.getByRole("row", { name: /An account opted out/ })).toBeVisible();
});

test("an agent schedules time away for a customer, and the customer's Activity says so", async ({ page }) => {
  test.slow();
  await signIn(page, DEMO.agent, "/agent");
  await page.goto("/agent/accounts/3000012345/events");
  await expect(page.getByText("Acting for Jordan Rivera, account 3000012345.")).toBeVisible();
  const from = `${dayFromNow(20)}T08:00`;
  const to = `${dayFromNow(22)}T20:00`;
  await page.getByLabel("Away from").fill(from);
  await page.getByLabel("Back on").fill(to);
  await page.getByRole("button", { name: /Schedule time away/ }).click();
  await expect(page.getByRole("status")).toContainText("Time away saved for your smart thermostat");
  await expect(page.getByRole("button", { name: /Cancel time away from/ })).toBeVisible();
  // The same dates again: refused beside "Away from", naming the period already scheduled.
  await page.getByLabel("Away from").fill(from);
  await page.getByLabel("Back on").fill(to);
  await page.getByRole("button", { name: /Schedule time away/ }).click();
  await expect(page.getByLabel("Away from")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Away from"), "what was typed stays").toHaveValue(from);
  await expect(page.getByLabel("Back on")).toHaveValue(to);
  await expect(page.getByText(/already has time away from .* Cancel it first to change it/)).toBeVisible();
  await expect(page.getByRole("button", { name: /Cancel time away from/ })).toHaveCount(1);

  await page.getByRole("button", { name: "Sign out" }).click();
  await signIn(page, DEMO.customer, "/account");
  await page.goto("/account/activity");
  await expect(page.getByText(/Scheduled time away for the smart thermostat/).first()).toBeVisible();
});

test("an agent sets the medical flag with a note, and programs close to the customer", async ({ page }) => {
  test.slow();
  const customer = newCustomer({ name: "Robin Hale" });
  await signIn(page, DEMO.agent, "/agent");
  await page.goto(`/agent/accounts/${customer.accountNumber}`);
  const flag = page.getByRole("region", { name: "Medical or life-support flag" });
  await expect(flag).toContainText("Not set.");
  await flag.getByRole("button", { name: "Set the flag" }).click();
  await expect(flag.getByText(/Say why, for the record/)).toBeVisible();
  await flag.getByLabel("Note (why, for the record)").fill("Home dialysis; letter from Dr. Ames");
  await flag.getByRole("button", { name: "Set the flag" }).click();
  await expect(page.getByRole("status")).toContainText("Medical flag set: demand-response programs are closed to this account online.");
  await expect(flag).toContainText("Set: demand-response programs are closed to this account online.");
  await page.goto(`/agent/accounts/${customer.accountNumber}/activity`);
  const changes = page.getByRole("region", { name: "Changes" });
  await expect(changes.getByText("Set the medical or life-support flag")).toBeVisible();
  await expect(changes.getByText("Home dialysis; letter from Dr. Ames")).toBeVisible();
  // The customer's sign-ins are listed apart, so they never bury a change.
  const signIns = page.getByRole("region", { name: "Sign-ins and security" });
  await expect(signIns).toBeVisible();
  await expect(signIns.getByText("Set the medical or life-support flag")).toHaveCount(0);
});
