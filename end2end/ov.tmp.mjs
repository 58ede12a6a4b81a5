import { chromium } from 'playwright';
import { execFileSync } from 'node:child_process';
const B = 'http://127.0.0.1:3301';
const [who, pw, width, ...paths] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const code = () => execFileSync(process.env.CARGO_TARGET_DIR + '/debug/peakday', ['demo-code', who], { env: { ...process.env, DATABASE_URL: 'sqlite:///tmp/vis/v.db' } }).toString().trim().split('\n').pop();
const ctx = await browser.newContext({ viewport: { width: Number(width), height: 800 } });
const page = await ctx.newPage();
await page.goto(B + '/signin');
await page.fill('input[name=email]', who);
await page.fill('input[name=password]', pw);
await page.click('button[type=submit]');
await page.waitForURL(/verify/);
await page.fill('input[name=code]', code());
await page.click('button[type=submit]');
await page.waitForTimeout(1000);
for (const p of paths) {
  await page.goto(B + p);
  await page.waitForTimeout(700);
  console.log(p, await page.evaluate(() => document.documentElement.scrollWidth));
}
await browser.close();
