// The customer's language in a real browser: Chromium's own language
// (Accept-Language) chooses the pages' language, Arabic is laid out right to
// left, and the menu under every page switches language without JavaScript.
// Screenshots of the sign-in journey's pages in English, German and Arabic
// at the project's screen size are kept as artifacts.
import { test, expect, Page } from '@playwright/test';
import { expectAccessible, signUpAndVerify } from './checks';

// The last is an error page: it speaks the browser's language too.
const pages = ['/login', '/signup', '/forgot-password', '/verify-email/resend', '/no-such-page'];

async function direction(page: Page) {
  return page.evaluate(() => [document.documentElement.lang, document.documentElement.dir, getComputedStyle(document.body).direction]);
}

for (const [locale, lang, dir] of [['de-DE', 'de', 'ltr'], ['ar-EG', 'ar', 'rtl'], ['en-GB', 'en', 'ltr']]) {
  test(`a browser speaking ${locale} is answered in ${lang}`, async ({ browser }, info) => {
    const context = await browser.newContext({ ...info.project.use, locale });
    const page = await context.newPage();
    for (const path of pages) {
      await page.goto(path);
      expect(await direction(page)).toEqual([lang, dir, dir]);
      await expectAccessible(page, info);
      const name = path.slice(1).replaceAll('/', '-');
      await page.screenshot({ path: info.outputPath(`${name}-${lang}.png`), fullPage: true });
    }
    await context.close();
  });
}

test('the language menu switches language and stays chosen', async ({ browser }, info) => {
  const context = await browser.newContext({ ...info.project.use, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto('/login');
  const english = await page.getByRole('heading', { level: 1 }).textContent();
  await page.getByRole('button', { name: 'Deutsch' }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect(await direction(page)).toEqual(['de', 'ltr', 'ltr']);
  const german = await page.getByRole('heading', { level: 1 }).textContent();
  expect(german).not.toEqual(english);
  // The choice holds on the next page, over the browser's own language.
  await page.goto('/signup');
  expect((await direction(page))[0]).toEqual('de');
  await page.getByRole('button', { name: 'العربية' }).click();
  await expect(page).toHaveURL(/\/signup$/);
  expect(await direction(page)).toEqual(['ar', 'rtl', 'rtl']);
  await expectAccessible(page, info);
  await page.screenshot({ path: info.outputPath('signup-chosen-ar.png'), fullPage: true });
  await context.close();
});

// A signed-in customer's own pages, in the language they chose from the
// menu (saved on their record), at this project's screen size: no page is
// wider than the screen, axe-core finds nothing, and screenshots are kept.
for (const [lang, button, dir] of [['de', 'Deutsch', 'ltr'], ['ar', 'العربية', 'rtl']]) {
  test(`a customer's own pages speak ${lang}`, async ({ page }, info) => {
    const email = `own-pages-${lang}-${info.project.name}-${Date.now()}@example.com`;
    await signUpAndVerify(page, email, 'lantern-orchard-velvet-92', 'Ünïcode Ñame With A Fairly Long Surname');
    await page.getByRole('button', { name: button }).click();
    for (const path of ['/account', '/account/security', '/account/devices', '/account/apps']) {
      await page.goto(path);
      expect(await direction(page)).toEqual([lang, dir, dir]);
      await expectAccessible(page, info);
      const main = await page.locator('main').boundingBox();
      expect(main!.x + main!.width).toBeLessThanOrEqual(page.viewportSize()!.width + 1);
      const name = path.slice(1).replaceAll('/', '-');
      await page.screenshot({ path: info.outputPath(`${name}-${lang}.png`), fullPage: true });
    }
  });
}
