import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { DEMO, hydrated, newCustomer, signIn } from "./helpers";

/** The card of one program on the programs page. */
function program(page: Page, name: string) {
  return page.getByRole("listitem").filter({ has: page.getByRole("heading", { name, exact: true }) });
}

test("a customer adds a thermostat, enrolls it, and sees the head-end register it", async ({ page }) => {
  // Several page loads, and the head-end stand-in answers after a moment.
  test.slow();
  const customer = newCustomer({ name: "Dana Whitfield" });
  const serial = `EB-${Date.now() % 1_000_000}`;
  await signIn(page, customer, "/account");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Programs" }).click();
  await expect(page).toHaveURL("/account/programs");
  const thermostats = program(page, "Smart Thermostat Rewards");
  await expect(thermostats).toContainText("You cannot enroll yet");
  await expect(thermostats).toContainText("add a device this program uses (smart thermostat)");

  await page.goto("/account/devices");
  await hydrated(page);
  await page.getByLabel("Kind of device").selectOption("thermostat");
  await page.getByLabel("Make (brand)").fill("ecobee");
  await page.getByLabel("Model").fill("SmartThermostat Premium");
  await page.getByLabel("Serial number").fill(serial);
  await page.getByLabel("Network address (MAC, IP or device ID)").fill("00:1B:44:11:3A:B7");
  await page.getByLabel("Capacity (kW; kWh for a battery)").fill("3.5");
  await page.getByRole("button", { name: "Add device" }).click();
  await expect(page.getByRole("status")).toContainText("Your ecobee SmartThermostat Premium was added. See Programs to enroll it.");
  const device = page.getByRole("listitem").filter({ hasText: serial });
  await expect(device).toContainText("Not registered");

  await page.goto("/account/programs");
  await thermostats.getByRole("button", { name: "Enroll" }).click();
  await expect(page.getByRole("status")).toContainText("You are enrolled in Smart Thermostat Rewards.");
  await expect(thermostats).toContainText("Enrollment pending");
  await expect(thermostats).toContainText("Registration pending");

  // The stand-in acknowledges a moment later; the page shows it on the next load.
  await expect(async () => {
    await page.reload();
    await expect(thermostats.getByText("Registered", { exact: true })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(thermostats.getByText("Enrolled", { exact: true })).toBeVisible();
  await expect(thermostats).toContainText(/entity group p1-thermostat-m-r-ptr/);
  await expect(thermostats.getByText("Last sync")).toBeVisible();

  // The battery program is closed to this account, and says why.
  await expect(program(page, "Battery & EV Partners")).toContainText("EV charger or home battery");

  await page.goto("/account/activity");
  await expect(page.getByText("Enrolled in Smart Thermostat Rewards")).toBeVisible();
  await expect(page.getByText(/The head-end registered your Smart thermostat/)).toBeVisible();

  // Unenrolling takes a second step, then the head-end de-registers the device.
  await page.goto("/account/programs");
  await thermostats.getByText("Unenroll…").click();
  await thermostats.getByRole("button", { name: "Unenroll from Smart Thermostat Rewards" }).click();
  await expect(page.getByRole("status")).toContainText("You are unenrolled from Smart Thermostat Rewards.");
  await expect(thermostats, "free again once the head-end confirms").toContainText("is being de-registered");
  await page.goto("/account/devices");
  await expect(async () => {
    await page.reload();
    await expect(device.getByText("De-registered", { exact: true })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
});

/** Adds a device through the form on /account/devices. */
async function addDevice(page: Page, device: { kind: string; make: string; model: string; serial: string; address: string; capacity: string }) {
  await page.goto("/account/devices");
  await hydrated(page);
  await page.getByLabel("Kind of device").selectOption(device.kind);
  await page.getByLabel("Make (brand)").fill(device.make);
  await page.getByLabel("Model").fill(device.model);
  await page.getByLabel("Serial number").fill(device.serial);
  await page.getByLabel("Network address (MAC, IP or device ID)").fill(device.address);
  await page.getByLabel("Capacity (kW; kWh for a battery)").fill(device.capacity);
  await page.getByRole("button", { name: "Add device" }).click();
  await expect(page.getByRole("status")).toContainText(`Your ${device.make} ${device.model} was added.`);
}

/** Reloads until `locator` shows `text` exactly: the head-end answers a moment after a change. */
async function eventually(page: Page, locator: ReturnType<Page["getByRole"]>, text: string) {
  await expect(async () => {
    await page.reload();
    await expect(locator.getByText(text, { exact: true })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
}

test("a customer replaces an enrolled battery: the old one is de-registered, the new one registered", async ({ page }) => {
  test.slow();
  const customer = newCustomer({ name: "Morgan Ellis" });
  const stamp = Date.now() % 1_000_000;
  await signIn(page, customer, "/account");
  await addDevice(page, { kind: "battery", make: "Enphase", model: "IQ 10T", serial: `EN-${stamp}`, address: "10.0.0.21", capacity: "10.1" });
  await page.goto("/account/programs");
  const batteries = program(page, "Battery & EV Partners");
  await batteries.getByRole("button", { name: "Enroll" }).click();
  await expect(page.getByRole("status")).toContainText("You are enrolled in Battery & EV Partners.");
  await eventually(page, batteries, "Enrolled");

  await addDevice(page, { kind: "battery", make: "Tesla", model: "Powerwall 3", serial: `TS-${stamp}`, address: "10.0.0.22", capacity: "13.5" });
  await page.goto("/account/programs");
  await batteries.getByLabel(/Replace the Home battery, Enphase IQ 10T/).selectOption({ label: "Home battery, Tesla Powerwall 3 (13.5 kWh)" });
  await batteries.getByRole("button", { name: "Replace" }).click();
  await expect(page.getByRole("status")).toContainText("replaces the Home battery, Enphase IQ 10T (10.1 kWh) in Battery & EV Partners.");
  await expect(batteries).toContainText("Tesla Powerwall 3");
  await expect(batteries).not.toContainText("Enphase IQ 10T");

  await page.goto("/account/devices");
  const old = page.getByRole("listitem").filter({ hasText: `EN-${stamp}` });
  const replacement = page.getByRole("listitem").filter({ hasText: `TS-${stamp}` });
  await eventually(page, old, "De-registered");
  await eventually(page, replacement, "Registered");
  await expect(replacement).toContainText(/entity group p2-battery-m-r-ptr/);
});

test("a bad device is refused with each problem named, and nothing is added", async ({ page }) => {
  const customer = newCustomer({ name: "Avery Lind" });
  await signIn(page, customer, "/account");
  await page.goto("/account/devices");
  await hydrated(page);
  await page.getByLabel("Make (brand)").fill("Tesla");
  await page.getByLabel("Capacity (kW; kWh for a battery)").fill("zero");
  await page.getByRole("button", { name: "Add device" }).click();
  await expect(page.getByRole("alert")).toContainText("Some details need fixing");
  await expect(page.getByText("Enter the model.")).toBeVisible();
  await expect(page.getByText("Enter a number such as 13.5.")).toBeVisible();
  await expect(page.getByText("No devices yet.")).toBeVisible();
  await expect(page.getByLabel("Make (brand)"), "what was typed stays").toHaveValue("Tesla");
  await expect(page.getByLabel("Capacity (kW; kWh for a battery)")).toHaveAttribute("aria-invalid", "true");

  // What only the server can know comes back beside its field: a device added already.
  const serial = `PW-${Date.now() % 1_000_000}`;
  for (const attempt of [1, 2]) {
    await hydrated(page);
    await page.getByLabel("Kind of device").selectOption("battery");
    await page.getByLabel("Make (brand)").fill("Tesla");
    await page.getByLabel("Model").fill("Powerwall 3");
    await page.getByLabel("Serial number").fill(serial);
    await page.getByLabel("Network address (MAC, IP or device ID)").fill("10.0.0.12");
    await page.getByLabel("Capacity (kW; kWh for a battery)").fill("13.5");
    await page.getByRole("button", { name: "Add device" }).click();
    if (attempt === 1) await expect(page.getByRole("status")).toContainText("Your Tesla Powerwall 3 was added.");
  }
  await expect(page.getByText("This device is on this account already.")).toBeVisible();
  await expect(page.getByLabel("Serial number")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Serial number")).toHaveValue(serial);
  await expect(page.getByLabel("Kind of device")).toHaveValue("battery");
  await expect(page.getByLabel("Model")).toHaveValue("Powerwall 3");
  await expect(page.getByRole("listitem").filter({ hasText: serial })).toHaveCount(1);
});

test("an agent sees why a customer with a medical flag cannot join demand response", async ({ page }) => {
  await signIn(page, DEMO.agent, "/agent");
  await page.goto("/agent/accounts/3000054321/programs");
  await expect(page.getByText("Acting for Harold Becker, account 3000054321.")).toBeVisible();
  await expect(program(page, "Smart Thermostat Rewards")).toContainText("medical or life-support flag");
  await expect(program(page, "Smart Thermostat Rewards")).toContainText("Please contact us");
});

test("a program manager creates a program, finds a mistake named, and activates it", async ({ page }) => {
  test.slow();
  const name = `Winter Peak Savers ${Date.now() % 100_000}`;
  await signIn(page, DEMO.pm, "/programs");
  const form = page.locator("form").filter({ has: page.getByRole("button", { name: "Create program" }) });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Description (customers read it)").fill("Fewer, shorter winter events.");
  await form.getByLabel("Season starts").fill("2027-12-01");
  await form.getByLabel("Season ends").fill("2027-11-01");
  await form.getByLabel("Smart thermostat").check();
  await form.getByLabel("Rate, $").fill("0.75");
  await form.getByRole("button", { name: "Create program" }).click();
  // The season ends before it starts: said beside the field, nothing created.
  await expect(page.getByText("The season ends on or after the day it starts.")).toBeVisible();
  await expect(page.getByRole("link", { name })).toHaveCount(0);
  // What was typed is still there: only the mistake needs fixing.
  await expect(form.getByLabel("Name")).toHaveValue(name);
  await expect(form.getByLabel("Description (customers read it)")).toHaveValue("Fewer, shorter winter events.");
  await expect(form.getByLabel("Smart thermostat")).toBeChecked();
  await expect(form.getByLabel("Rate, $")).toHaveValue("0.75");
  await expect(form.getByLabel("Season ends")).toHaveAttribute("aria-invalid", "true");

  await form.getByLabel("Season ends").fill("2028-02-28");
  await form.getByLabel("Customers may schedule time away").check();
  await form.getByRole("button", { name: "Create program" }).click();
  await expect(page.getByRole("status")).toContainText(`${name} was created.`);
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name }) });
  await expect(row).toContainText("Draft");

  await row.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page.getByLabel("Customers may schedule time away")).toBeChecked();
  await page.getByLabel("Status (customers see active programs)").selectOption("active");
  await page.getByRole("button", { name: "Save program" }).click();
  await expect(page.getByRole("status")).toContainText(`${name} was saved.`);
  await page.goto("/programs");
  await expect(page.getByRole("row").filter({ hasText: name })).toContainText("Active");
});
