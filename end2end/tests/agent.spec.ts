import { expect, test } from "./fixtures";
import { DEMO, firstSignIn, hydrated, newCustomer, signIn } from "./helpers";

test("an agent finds a customer by phone, adds a recipient for them, and the customer sees it", async ({ browser }) => {
  // Two people, several pages each.
  test.slow();
  const last4 = `${Date.now() % 10000}`.padStart(4, "0");
  const customer = newCustomer({ name: "Robin Vasquez", mobile: `(607) 555-${last4}` });

  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await signIn(agent, DEMO.agent, "/agent");
  // Stored as +1607555…; typed the way a caller reads it out.
  await agent.getByLabel("Search accounts").fill(`607.555.${last4}`);
  await agent.getByRole("button", { name: "Search" }).click();
  await agent.getByRole("link", { name: new RegExp(customer.accountNumber) }).click();
  await expect(agent).toHaveURL(`/agent/accounts/${customer.accountNumber}`);
  await expect(agent.getByText(`Acting for Robin Vasquez, account ${customer.accountNumber}.`)).toBeVisible();
  await expect(agent.getByText("Signed in as Alex Agent.")).toBeVisible();

  const banner = agent.getByRole("navigation", { name: "Customer's pages" });
  await banner.getByRole("link", { name: "Alerts & recipients" }).click();
  await expect(agent).toHaveURL(`/agent/accounts/${customer.accountNumber}/alerts`);
  await hydrated(agent);
  await expect(agent.getByText(`Acting for Robin Vasquez`)).toBeVisible();
  await agent.getByText("Add recipient", { exact: true }).click();
  const form = agent.locator("form").filter({ has: agent.getByRole("button", { name: "Save", exact: true }) });
  await form.getByLabel("Name").fill("Lee Vasquez");
  await form.getByLabel("Email").fill("lee.vasquez@example.com");
  await form.getByRole("button", { name: "Save", exact: true }).click();
  await expect(agent.getByRole("status")).toContainText("Added Lee Vasquez");
  await expect(agent.getByRole("heading", { name: "Lee Vasquez" })).toBeVisible();

  await banner.getByRole("link", { name: "Activity" }).click();
  await expect(agent.getByText("by customer service (Alex Agent)").first()).toBeVisible();
  await agent.getByRole("button", { name: "Exit" }).click();
  await expect(agent).toHaveURL(/\/agent\??$/);
  await expect(agent.getByText("Acting for")).toHaveCount(0);
  await agentContext.close();

  const customerContext = await browser.newContext();
  const page = await customerContext.newPage();
  await signIn(page, customer, "/account");
  await page.goto("/account/alerts");
  await expect(page.getByRole("heading", { name: "Lee Vasquez" })).toBeVisible();
  await page.goto("/account/activity");
  const added = page.getByRole("listitem").filter({ hasText: "Lee Vasquez" }).first();
  await expect(added).toContainText("by customer service");
  await expect(added).not.toContainText("Alex Agent");
  await customerContext.close();
});

test("a customer opening an agent page is refused", async ({ page }) => {
  await signIn(page, DEMO.customer, "/account");
  for (const path of ["/agent", "/agent/accounts/3000067890", "/agent/accounts/3000012345/alerts"]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(403);
    await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
    await expect(page.getByText("Priya")).toHaveCount(0);
  }
});

test("an empty or too broad search is explained, not run", async ({ page }) => {
  await signIn(page, DEMO.agent, "/agent");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("alert")).toContainText("Type an account number, a name");
  await page.getByLabel("Search accounts").fill("j");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("alert")).toContainText("too many accounts");
  await page.getByLabel("Search accounts").fill("Rivera");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("row").filter({ hasText: "Jordan Rivera" })).toBeVisible();
});

test("a disabled agent is signed out on their next click", async ({ browser }) => {
  const email = `agent-${Date.now() % 1000000}@utility.example`;
  const password = "a-long-password-1";

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, DEMO.admin, "/admin");
  const add = admin.getByRole("region", { name: "Add a staff member" });
  await add.getByLabel("Name").fill("Taylor Temp");
  await add.getByLabel("Email").fill(email);
  await add.getByLabel("Role").selectOption("agent");
  await add.getByLabel("Initial password").fill(password);
  await add.getByRole("button", { name: "Add staff member" }).click();
  await expect(admin.getByText("Taylor Temp can now sign in as customer service agent")).toBeVisible();
  await expect(admin.getByRole("row", { name: /Taylor Temp/ })).toBeVisible();

  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  // The password the administrator chose works once: a password of their own, then the app.
  await firstSignIn(agent, { email, password }, "/agent");

  await admin.getByRole("row", { name: /Taylor Temp/ }).getByRole("button", { name: /Disable sign-in/ }).click();
  await expect(admin.getByRole("row", { name: /Taylor Temp/ })).toContainText("Disabled");

  await agent.getByRole("link", { name: "Customer service" }).click();
  await expect(agent).toHaveURL(/\/signin/);
  await expect(agent.getByRole("button", { name: "Sign in" })).toBeVisible();
  await adminContext.close();
  await agentContext.close();
});

test("adding a staff member with an email already in use keeps what was typed, but not the password", async ({ page }) => {
  await signIn(page, DEMO.admin, "/admin");
  const add = page.getByRole("region", { name: "Add a staff member" });
  await add.getByLabel("Name").fill("Alex Again");
  await add.getByLabel("Email").fill(DEMO.agent.email);
  await add.getByLabel("Role").selectOption("program_manager");
  await add.getByLabel("Initial password").fill("a-long-password-2");
  await add.getByRole("button", { name: "Add staff member" }).click();
  await expect(add.getByText("Someone already signs in with that email.")).toBeVisible();
  await expect(add.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  await expect(add.getByLabel("Name")).toHaveValue("Alex Again");
  await expect(add.getByLabel("Email")).toHaveValue(DEMO.agent.email);
  await expect(add.getByLabel("Role")).toHaveValue("program_manager");
  await expect(add.getByLabel("Initial password")).toHaveValue("");
  await expect(page.getByRole("row", { name: /Alex Again/ })).toHaveCount(0);
});
