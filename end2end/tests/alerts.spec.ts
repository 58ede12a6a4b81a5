import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { hydrated, newCustomer, signIn } from "./helpers";

/** Signs a fresh customer in and opens their Alerts & recipients page, ready to use. */
async function openAlerts(page: Page, options: { name?: string; rateClass?: string } = {}) {
  const customer = newCustomer(options);
  await signIn(page, customer, "/account");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Alerts & recipients" }).click();
  await expect(page.getByRole("heading", { name: "Alerts & recipients", level: 1 })).toBeVisible();
  await hydrated(page);
  return customer;
}

function recipient(page: Page, name: string) {
  return page.getByRole("region", { name, exact: true });
}

/** A check box of the recipient's "Peak pricing alerts" channels. */
function channel(page: Page, name: string, label: string) {
  return recipient(page, name).getByRole("group", { name: "Peak pricing alerts" }).getByLabel(label, { exact: true });
}

/** A disclosure ("Add recipient", "Edit contact info", "Remove") within a part of the page. */
function disclosure(scope: ReturnType<Page["getByRole"]>, text: string) {
  return scope.locator("summary", { hasText: text });
}

function status(page: Page) {
  return page.getByRole("status").filter({ hasText: /\w/ }).first();
}

async function addRecipient(page: Page, fields: { name: string; email?: string; sms?: string; voice?: string }) {
  const section = page.getByRole("region", { name: "Add a recipient" });
  if (!(await section.getByLabel("Name").isVisible())) await disclosure(section, "Add recipient").click();
  await section.getByLabel("Name").fill(fields.name);
  if (fields.email) await section.getByLabel("Email").fill(fields.email);
  if (fields.sms) await section.getByLabel("Mobile phone (SMS)").fill(fields.sms);
  if (fields.voice) await section.getByLabel("Phone (voice)").fill(fields.voice);
  await section.getByRole("button", { name: "Save", exact: true }).click();
}

/** Adds a recipient and waits, as a person would, until they appear on the page. */
async function addAndSee(page: Page, fields: { name: string; email?: string; sms?: string; voice?: string }) {
  await addRecipient(page, fields);
  await expect(status(page)).toHaveText(`Added ${fields.name}. Choose below what they receive.`);
  await expect(recipient(page, fields.name)).toBeVisible();
}

/** Opens a recipient's "Edit contact info" and types a new email address, without saving. */
async function typeEmail(card: ReturnType<Page["getByRole"]>, address: string) {
  await disclosure(card, "Edit contact info").click();
  const field = card.getByRole("textbox", { name: "Email" });
  await field.fill(address);
  return field;
}

/** Turns on email and the high bill alert for a recipient and presses Save alerts. */
async function saveHighBillAlertByEmail(page: Page, name: string) {
  await channel(page, name, "Email").check();
  await recipient(page, name).getByLabel("High bill alert").check();
  await recipient(page, name).getByRole("button", { name: "Save alerts" }).click();
}

test("a recipient added with email only gets peak alerts by email once email is on", async ({ page }) => {
  await openAlerts(page);
  await addAndSee(page, { name: "Ana Lima", email: "Ana.Lima@Example.com" });
  const ana = recipient(page, "Ana Lima");
  await expect(ana.getByText("ana.lima@example.com")).toBeVisible();
  // Print is shown but not the customer's to change.
  await expect(ana.getByText("Mail: managed by Demo Power & Light")).toBeVisible();
  await expect(ana.getByRole("checkbox", { name: /^mail/i })).toHaveCount(0);

  await channel(page, "Ana Lima", "Email").check();
  await ana.getByLabel("Peak Time Rebate day alert").check();
  await ana.getByRole("button", { name: "Save alerts" }).click();
  await expect(status(page)).toHaveText("Saved the alerts of Ana Lima.");
  await expect(ana.getByText("Selected: sent by email.")).toBeVisible();

  await page.reload();
  await expect(channel(page, "Ana Lima", "Email")).toBeChecked();
});

test("texts without a mobile number are not offered, and say why", async ({ page }) => {
  const customer = await openAlerts(page);
  const sms = channel(page, customer.name, "SMS (text)");
  await expect(sms).toBeDisabled();
  await expect(sms).not.toBeChecked();
  await expect(sms).toHaveAccessibleDescription(
    `To get messages by text message, add a mobile phone number for ${customer.name} first.`,
  );
  await expect(channel(page, customer.name, "Email")).toBeEnabled();
});

test("a mobile number turned on for texts waits for its confirmation", async ({ page }) => {
  await openAlerts(page);
  await addAndSee(page, { name: "Theo Grant", sms: "518.555.0199" });
  const theo = recipient(page, "Theo Grant");
  await expect(theo.getByText("(518) 555-0199 · Texts not set up")).toBeVisible();
  await channel(page, "Theo Grant", "SMS (text)").check();
  await theo.getByLabel("Peak Time Rebate day alert").check();
  await theo.getByRole("button", { name: "Save alerts" }).click();
  await expect(status(page)).toContainText("We are sending a text to (518) 555-0199");
  await expect(theo.getByText(/Waiting for confirmation/)).toBeVisible();
  await expect(theo.getByText("Selected, not delivered: SMS not confirmed")).toBeVisible();
});

test("ten additional recipients fit and the eleventh is refused", async ({ page }) => {
  test.slow();
  await openAlerts(page);
  for (let n = 1; n <= 10; n++) {
    await addAndSee(page, { name: `Neighbour ${n}`, email: `n${n}@example.com` });
  }
  const add = page.getByRole("region", { name: "Add a recipient" });
  await expect(add.getByRole("button", { name: "Add recipient (limit of 10 reached)" })).toBeDisabled();
  await expect(add).toContainText("the most allowed. Remove one to add another.");
});

test("an additional recipient can be removed, the primary cannot", async ({ page }) => {
  const customer = await openAlerts(page);
  await addAndSee(page, { name: "Short Stay", voice: "+44 20 7946 0958" });
  const guest = recipient(page, "Short Stay");
  await expect(guest.getByText("+442079460958")).toBeVisible();
  await expect(disclosure(guest, "Remove")).toHaveCount(1);
  await expect(disclosure(recipient(page, customer.name), "Remove")).toHaveCount(0);

  await disclosure(guest, "Remove").click();
  await guest.getByRole("button", { name: "Remove Short Stay" }).click();
  await expect(status(page)).toHaveText("Removed Short Stay. They get no more alerts from this account.");
  await expect(recipient(page, "Short Stay")).toHaveCount(0);
});

test("an invalid email and phone show field errors and save nothing", async ({ page }) => {
  await openAlerts(page);
  const section = page.getByRole("region", { name: "Add a recipient" });
  let sent = 0;
  page.on("request", (request) => request.url().includes("/api/add_recipient") && sent++);
  await disclosure(section, "Add recipient").click();
  await section.getByLabel("Name").fill("Typo Person");
  await section.getByLabel("Email").fill("typo@");
  await section.getByLabel("Mobile phone (SMS)").fill("555-12");
  await section.getByRole("button", { name: "Save", exact: true }).click();
  // Checked in the browser by the shared types: nothing is sent.
  await expect(section.getByText("Enter an email address like name@example.com.")).toBeVisible();
  await expect(section.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  await expect(section.getByLabel("Email")).toBeFocused();
  await expect(section.getByText(/Enter a 10-digit number/)).toBeVisible();
  await expect(section.getByRole("alert")).toContainText("Some details need fixing");
  await expect(section.getByLabel("Name")).toHaveValue("Typo Person");
  // Fixing a field clears its message as it is left.
  await section.getByLabel("Email").fill("typo@example.com");
  await section.getByLabel("Name").focus();
  await expect(section.getByText("Enter an email address like name@example.com.")).toBeHidden();
  expect(sent, "nothing was sent to the server").toBe(0);
  await page.reload();
  await expect(recipient(page, "Typo Person")).toHaveCount(0);
  await page.reload();
  await expect(recipient(page, "Typo Person")).toHaveCount(0);
});

test("the server's own check reaches the form when the browser's is bypassed", async ({ page }) => {
  await openAlerts(page);
  const section = page.getByRole("region", { name: "Add a recipient" });
  // What a crafted request would send: the browser checked a good address, the post carries a bad one.
  await page.route("**/api/add_recipient", (route) =>
    route.continue({ postData: (route.request().postData() ?? "").replace(/email=[^&]*/, "email=typo%40") }),
  );
  await disclosure(section, "Add recipient").click();
  await section.getByLabel("Name").fill("Crafted Person");
  await section.getByLabel("Email").fill("crafted@example.com");
  await section.getByRole("button", { name: "Save", exact: true }).click();
  await expect(section.getByText("Enter an email address like name@example.com.")).toBeVisible();
  await expect(section.getByRole("alert")).toContainText("Some details need fixing");
  await expect(section.getByLabel("Name")).toHaveValue("Crafted Person");
  await page.reload();
  await expect(recipient(page, "Crafted Person")).toHaveCount(0);
});

test("a communication the account is not eligible for stays selected and says why", async ({ page }) => {
  const customer = await openAlerts(page, { name: "Rowan Ellis", rateClass: "R-1" });
  const primary = recipient(page, customer.name);
  await channel(page, customer.name, "Email").check();
  await primary.getByLabel("Peak Time Rebate day alert").check();
  await primary.getByLabel("High bill alert").check();
  await primary.getByRole("button", { name: "Save alerts" }).click();
  await expect(status(page)).toHaveText("Saved the alerts of Rowan Ellis.");
  await expect(primary.getByText("Selected, not delivered: not on a peak time rebate rate.")).toBeVisible();
  await expect(primary.getByLabel("Peak Time Rebate day alert")).toBeChecked();
  await expect(primary.getByText("Selected: sent by email.")).toBeVisible();
});

test("stop all email, and undo it", async ({ page }) => {
  const customer = await openAlerts(page);
  const primary = recipient(page, customer.name);
  await saveHighBillAlertByEmail(page, customer.name);
  await expect(primary.getByText("Selected: sent by email.")).toBeVisible();

  await page.getByRole("button", { name: "Stop all email" }).click();
  await expect(status(page)).toHaveText("All email from us is stopped for this account.");
  await expect(recipient(page, customer.name).getByText("Selected, not delivered: all email is stopped for this account.")).toBeVisible();
  await page.getByRole("button", { name: "Resume email" }).click();
  await expect(status(page)).toHaveText("Email is on again for this account.");
  await expect(recipient(page, customer.name).getByText("Selected: sent by email.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Stop all email" })).toBeVisible();
});

test("a save after the session ended says so, keeps the page, and signs in again back to it", async ({ page, context }) => {
  const customer = await openAlerts(page);
  await channel(page, customer.name, "Email").check();
  // Away long enough for the session to end: the browser still sends a cookie the server no
  // longer knows.
  const cookies = await context.cookies();
  await context.addCookies(
    cookies.filter((cookie) => cookie.name === "peakday_session").map((cookie) => ({ ...cookie, value: "ended" })),
  );
  await recipient(page, customer.name).getByRole("button", { name: "Save alerts" }).click();
  const refusal = recipient(page, customer.name).getByRole("alert");
  await expect(refusal).toContainText("Your session ended, so this was not saved. Sign in again to continue.");
  await expect(channel(page, customer.name, "Email")).toBeChecked();
  await refusal.getByRole("link", { name: "Sign in again" }).click();
  // The refused save cleared the cookie, so the sign-in page has nothing to say but where next.
  await expect(page).toHaveURL(/\/signin\?(notice=expired&)?next=%2Faccount%2Falerts$/);
  await page.getByLabel("Email").fill(customer.email);
  await page.getByLabel("Password").fill(customer.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL("/account/alerts");
});

test("the activity page lists each change, newest first, by whom", async ({ page }) => {
  const customer = await openAlerts(page);
  await addAndSee(page, { name: "Mia Chen", email: "mia@example.com" });
  const mia = recipient(page, "Mia Chen");
  await typeEmail(mia, "mia.chen@example.com");
  await mia.getByRole("button", { name: "Save contact info" }).click();
  await expect(status(page)).toHaveText("Saved the contact info of Mia Chen.");
  // The page reloads its data after a save: the card shows the new address once it has.
  await expect(mia.getByText("mia.chen@example.com", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Unsubscribe from everything" }).click();
  await expect(status(page)).toContainText("unsubscribed from every alert");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Activity" }).click();
  const items = page.getByRole("listitem").filter({ hasText: " · by " });
  await expect(items).toHaveCount(3);
  await expect(items.nth(0)).toContainText("Unsubscribe from everything");
  await expect(items.nth(1)).toContainText("Changed the contact info of Mia Chen");
  await expect(items.nth(1)).toContainText("mia@example.com → mia.chen@example.com");
  await expect(items.nth(2)).toContainText("Added recipient Mia Chen");
  await expect(items.nth(2)).toContainText("by you");
  expect(customer.email).toContain("@");
});

test("a save pressed while the page reloads after another save is not refused as stale", async ({ page }) => {
  const customer = await openAlerts(page);
  const primary = recipient(page, customer.name);
  // Hold the page's reloads of its data, as a slow network would: every save below is pressed
  // while the page still shows what it showed before the save that went first.
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/preferences", async (route) => {
    await released;
    await route.continue();
  });

  await saveHighBillAlertByEmail(page, customer.name);
  await expect(status(page)).toHaveText(`Saved the alerts of ${customer.name}.`);
  await page.getByRole("button", { name: "Stop all email" }).click();
  await expect(status(page)).toHaveText("All email from us is stopped for this account.");
  await expect(page.getByRole("alert")).toHaveCount(0);

  release();
  await expect(primary.getByText("Selected, not delivered: all email is stopped for this account.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Resume email" })).toBeVisible();
  await page.reload();
  await expect(channel(page, customer.name, "Email")).toBeChecked();
  await expect(page.getByRole("button", { name: "Resume email" })).toBeVisible();
});

test("two cards saved within one round trip are both saved", async ({ page }) => {
  const customer = await openAlerts(page);
  await addAndSee(page, { name: "Noor Haddad", email: "noor@example.com" });
  // The first save's answer is held until the second save is on its way, as on a slow network:
  // the second goes out on the page's version from before the first.
  let secondSent = () => {};
  const second = new Promise<void>((resolve) => (secondSent = resolve));
  let saves = 0;
  await page.route("**/api/save_alerts", async (route) => {
    saves += 1;
    if (saves === 1) {
      const answer = await route.fetch();
      await second;
      await route.fulfill({ response: answer });
    } else {
      secondSent();
      await route.continue();
    }
  });

  await saveHighBillAlertByEmail(page, customer.name);
  await saveHighBillAlertByEmail(page, "Noor Haddad");
  await expect(recipient(page, customer.name).getByText("Selected: sent by email.")).toBeVisible();
  await expect(recipient(page, "Noor Haddad").getByText("Selected: sent by email.")).toBeVisible();
  await expect(page.getByRole("alert")).toHaveCount(0);
  expect(saves).toBe(2);
  await page.reload();
  await expect(channel(page, customer.name, "Email")).toBeChecked();
  await expect(channel(page, "Noor Haddad", "Email")).toBeChecked();
});

test("a save leaves what is typed, and not yet saved, in another recipient's card", async ({ page }) => {
  const customer = await openAlerts(page);
  await addAndSee(page, { name: "Noor Haddad", email: "noor@example.com" });
  const noor = recipient(page, "Noor Haddad");
  const email = await typeEmail(noor, "noor.h@example.com");

  const primary = recipient(page, customer.name);
  await saveHighBillAlertByEmail(page, customer.name);
  // The page has reloaded its data once the saved card says how the alert goes out.
  await expect(primary.getByText("Selected: sent by email.")).toBeVisible();
  await expect(email).toBeVisible();
  await expect(email).toHaveValue("noor.h@example.com");

  await noor.getByRole("button", { name: "Save contact info" }).click();
  await expect(status(page)).toHaveText("Saved the contact info of Noor Haddad.");
  await expect(noor.getByText("noor.h@example.com", { exact: true })).toBeVisible();
});

test("a save from a second tab with an older page is refused and keeps what was typed", async ({ context }) => {
  const first = await context.newPage();
  await openAlerts(first);
  const second = await context.newPage();
  await second.bringToFront();
  await second.goto("/account/alerts");
  await hydrated(second);

  // A person switches tabs to use one: the tab in front is the one not throttled.
  await first.bringToFront();
  await addAndSee(first, { name: "From Tab One", email: "one@example.com" });

  await second.bringToFront();
  await addRecipient(second, { name: "From Tab Two", email: "two@example.com" });
  const section = second.getByRole("region", { name: "Add a recipient" });
  await expect(section.getByRole("alert")).toContainText("This was changed elsewhere");
  await expect(section.getByLabel("Name")).toHaveValue("From Tab Two");
  await second.reload();
  await expect(recipient(second, "From Tab One")).toBeVisible();
  await expect(recipient(second, "From Tab Two")).toHaveCount(0);
});

test.describe("before the WASM loads (no JavaScript)", () => {
  test.use({ javaScriptEnabled: false });

  test("a recipient is added by a plain form post and the page confirms it", async ({ page }) => {
    const customer = newCustomer();
    await page.goto("/signin");
    await page.getByLabel("Email").fill(customer.email);
    await page.getByLabel("Password").fill(customer.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.goto("/account/alerts");
    const section = page.getByRole("region", { name: "Add a recipient" });
    // Closed forms are built once opened: before the WASM, opening one offers the page with it open.
    await disclosure(section, "Add recipient").click();
    await section.getByRole("link", { name: "Show the form" }).click();
    await expect(page).toHaveURL(/\/account\/alerts\?open=add-recipient#add-recipient$/);
    await section.getByLabel("Name").fill("Plain Form");
    await section.getByLabel("Email").fill("plain@example.com");
    await section.getByRole("button", { name: "Save", exact: true }).click();
    // Back on the page with the server's own sentence, signed for this session.
    await expect(page).toHaveURL(/\/account\/alerts\?saved=.*&__sig=/);
    await expect(page.getByText("Added Plain Form. Choose below what they receive.")).toBeVisible();
    await expect(recipient(page, "Plain Form")).toBeVisible();

    // A refusal of a plain form post comes back beside its field, in the form it refused,
    // open, with what was typed; the other recipient's form stays closed and as it was.
    const holder = recipient(page, customer.name);
    await disclosure(holder, "Edit contact info").click();
    await holder.getByRole("link", { name: "Show the form" }).click();
    await holder.getByRole("textbox", { name: "Email" }).fill("not-an-email");
    await holder.getByRole("button", { name: "Save contact info" }).click();
    await expect(holder.getByText("Enter an email address like name@example.com.")).toBeVisible();
    await expect(holder.getByRole("textbox", { name: "Email" })).toHaveValue("not-an-email");
    const other = recipient(page, "Plain Form");
    await expect(other.getByRole("textbox", { name: "Email" })).toBeHidden();
    await expect(other).not.toContainText("Enter an email address");
    await disclosure(other, "Edit contact info").click();
    await other.getByRole("link", { name: "Show the form" }).click();
    await expect(other.getByRole("textbox", { name: "Email" })).toHaveValue("plain@example.com");

    // So does a new recipient refused.
    await disclosure(section, "Add recipient").click();
    await section.getByRole("link", { name: "Show the form" }).click();
    await section.getByLabel("Name").fill("Second Try");
    await section.getByLabel("Mobile phone (SMS)").fill("555-01");
    await section.getByRole("button", { name: "Save", exact: true }).click();
    await expect(section.getByText("Enter a 10-digit number like (555) 234-5678, or + and the country code.")).toBeVisible();
    await expect(section.getByLabel("Name")).toHaveValue("Second Try");
    await expect(section.getByLabel("Mobile phone (SMS)")).toHaveValue("555-01");
    await expect(recipient(page, "Second Try")).toHaveCount(0);
  });

  test("a refusal of one recipient's form shows in that recipient's card alone", async ({ context }) => {
    const customer = newCustomer();
    const page = await context.newPage();
    await signIn(page, customer, "/account");
    await page.goto("/account/alerts?open=add-recipient");
    const section = page.getByRole("region", { name: "Add a recipient" });
    await section.getByLabel("Name").fill("Second Card");
    await section.getByLabel("Email").fill("second@example.com");
    await section.getByRole("button", { name: "Save", exact: true }).click();
    await expect(recipient(page, "Second Card")).toBeVisible();
    const older = await context.newPage();
    await older.goto("/account/alerts");

    // Saved on one page; the older page's save of the same card is refused as changed elsewhere.
    await channel(page, customer.name, "Email").click();
    await recipient(page, customer.name).getByRole("button", { name: "Save alerts" }).click();
    await expect(page.getByText(`Saved the alerts of ${customer.name}.`)).toBeVisible();
    await channel(older, customer.name, "Email").click();
    await recipient(older, customer.name).getByRole("button", { name: "Save alerts" }).click();
    await expect(recipient(older, customer.name).getByRole("alert")).toHaveCount(1);
    await expect(recipient(older, customer.name).getByRole("alert")).toContainText("changed elsewhere");
    // The other card's form posts to the same function, and shows nothing of it.
    await expect(recipient(older, "Second Card").getByRole("alert")).toHaveCount(0);
  });

  test("the stops are one form whose pressed button says what it does; a stale press is refused once", async ({ context }) => {
    const customer = newCustomer();
    const page = await context.newPage();
    await signIn(page, customer, "/account");
    await page.goto("/account/alerts");
    const older = await context.newPage();
    await older.goto("/account/alerts");
    const stops = (p: Page) => p.getByRole("region", { name: "Stop messages for this account" });

    await stops(page).getByRole("button", { name: "Stop all texts" }).click();
    await expect(page).toHaveURL(/\/account\/alerts\?saved=.*&__sig=/);
    await expect(page.getByText("All texts from us are stopped for this account.").first()).toBeVisible();
    await expect(stops(page).getByRole("button", { name: "Resume texts" })).toBeVisible();
    await expect(stops(page).getByRole("button", { name: "Stop all email" })).toBeVisible();

    // The older page still offers to stop texts: stopped already, so that press is refused, once.
    await stops(older).getByRole("button", { name: "Stop all texts" }).click();
    await expect(stops(older).getByRole("alert")).toHaveCount(1);
    await expect(stops(older).getByRole("alert")).toContainText("changed elsewhere");
    await expect(stops(older).getByRole("button", { name: "Resume texts" })).toBeVisible();
    // Stopping something the page showed running goes through, whatever else changed.
    await stops(older).getByRole("button", { name: "Stop all calls" }).click();
    await expect(older.getByText("All calls from us are stopped for this account.").first()).toBeVisible();
    await expect(stops(older).getByRole("button", { name: "Resume calls" })).toBeVisible();
    await expect(stops(older).getByRole("button", { name: "Resume texts" })).toBeVisible();
  });
});
