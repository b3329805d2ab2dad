import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { OrderView } from '../../api/ports';
import type { Pet } from '../../domain/pets';
import { projectRoot } from '../../lib/config';
import { openBrowser, VIEWPORTS, type CustomerBrowser } from '../helpers/browser';
import { unique } from '../helpers/config';
import { apiClient, freePort, startSystem, tokenFor, type RunningSystem } from '../helpers/system';

const SETTLE_MS = 45_000;

/** Starts the local OIDC provider (test/helpers/oidc-provider.mjs) and waits for "ready". */
async function startOidcProvider(port: number, redirectUri: string, clientId: string, clientSecret: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(projectRoot, 'test', 'helpers', 'oidc-provider.mjs'), String(port), redirectUri, clientId, clientSecret], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) resolve();
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`the OIDC provider exited with ${code}: ${output}`)));
  });
  return child;
}

/** Signs in with the dev sign-in form. */
async function devSignIn(page: Page, baseUrl: string, name: string): Promise<void> {
  await page.goto(`${baseUrl}/shop/sign-in`);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('signed-in-as').filter({ hasText: name }).waitFor();
}

/** The order page's status once it reads `text` (pushed by the server's event stream). */
const statusReads = (page: Page, text: string) => page.getByTestId('order-status').filter({ hasText: text }).waitFor({ timeout: SETTLE_MS });

// The storefront in a real browser (Debian's Chromium, headless) against the real stack: every page
// goes through the running system's API, and each order's status arrives over its event stream.
describe('storefront in Chromium on the real stack', () => {
  let system: RunningSystem;
  let oidc: ChildProcess;
  const species = unique('sf');
  const pets: Record<'biscuit' | 'noodle' | 'pricey', Pet> = {} as never;
  const alice = unique('alice');
  const bob = unique('bob');
  const carol = unique('carol');
  let aliceOrder: string;
  const browsers: CustomerBrowser[] = [];
  const open = async (viewport: { width: number; height: number }) => {
    const browser = await openBrowser(viewport);
    browsers.push(browser);
    return browser;
  };

  beforeAll(async () => {
    const oidcPort = await freePort();
    system = await startSystem({ STOREFRONT_DEV_LOGIN: 'on', OIDC_ISSUER: `http://127.0.0.1:${oidcPort}`, OIDC_CLIENT_ID: 'storefront', OIDC_CLIENT_SECRET: 'storefront-test-secret-0123456789' });
    oidc = await startOidcProvider(oidcPort, `${system.baseUrl}/shop/auth/callback`, 'storefront', 'storefront-test-secret-0123456789');
    const admin = apiClient(system.baseUrl, tokenFor('admin'));
    for (const [key, name, priceCents] of [['biscuit', 'Biscuit', 12_000], ['noodle', 'Noodle', 8_000], ['pricey', 'Pricey', 90_000]] as const) {
      const created = await admin<Pet>('POST', '/pets', { name: `${name} ${species.slice(-6)}`, species, breed: 'mixed', age: 2, priceCents, stock: 50, description: `${name} likes long walks.` });
      expect(created.status).toBe(201);
      pets[key] = created.body;
    }
  }, 150_000);
  afterAll(async () => {
    for (const browser of browsers) await browser.close().catch(() => undefined);
    oidc?.kill('SIGTERM');
    await system?.stop();
  });
  afterEach(() => {
    // No page error and no resource refused by the strict content security policy, in any browser.
    for (const browser of browsers) expect(browser.problems).toEqual([]);
  });

  it('browse and filter, a pet\'s page, a basket of two pets, checkout with tok_ok: the order page turns CONFIRMED live', async () => {
    const { page, shot } = await open(VIEWPORTS.desktop);
    await devSignIn(page, system.baseUrl, alice);

    await page.goto(`${system.baseUrl}/shop`);
    await page.getByLabel('Species').fill(species);
    await page.getByLabel('Species').press('Enter');
    await page.getByRole('link', { name: pets.pricey.name }).waitFor();
    await page.getByLabel('Highest price').fill('200');
    await page.getByRole('link', { name: pets.pricey.name }).waitFor({ state: 'detached' });
    expect(await page.getByRole('list', { name: 'Pets' }).getByRole('listitem').count()).toBe(2);
    await shot('01-catalogue-filtered');

    await page.getByRole('link', { name: pets.biscuit.name }).click();
    await page.getByRole('heading', { name: pets.biscuit.name }).waitFor();
    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Add to basket' }).click();
    await page.getByRole('status').filter({ hasText: 'added to your basket' }).waitFor();
    await shot('02-pet-page');

    await page.getByRole('link', { name: 'Back to all pets' }).click();
    await page.getByLabel('Species').fill(species);
    await page.getByLabel('Species').press('Enter');
    await page.getByRole('button', { name: `Add ${pets.noodle.name} to the basket` }).click();
    await page.getByRole('link', { name: /Basket \(3\)/ }).click();
    await page.getByRole('heading', { name: 'Your basket' }).waitFor();
    expect(await page.getByRole('table').getByRole('row').count()).toBe(3); // header + two pets
    expect(await page.getByText(/Total:/).textContent()).toMatch(/320/);
    await page.getByLabel('Payment token').fill('tok_ok');
    await shot('03-basket-checkout');

    const orderRequests: string[] = [];
    page.on('request', (request) => {
      if (/\/orders\/[^/]+(\/events)?$/.test(new URL(request.url()).pathname)) orderRequests.push(new URL(request.url()).pathname);
    });
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/\/shop\/orders\/[0-9a-f-]{36}$/);
    aliceOrder = page.url().split('/').pop()!;
    await statusReads(page, 'Confirmed');
    await shot('04-order-confirmed');
    // Live, not polled: one event stream, and not a single GET /orders/:id from the page.
    expect(orderRequests).toEqual([`/orders/${aliceOrder}/events`]);
    expect(await page.getByText(/Total:/).textContent()).toMatch(/320/);

    await page.getByRole('link', { name: 'All my orders' }).click();
    await page.getByRole('link', { name: `Order ${aliceOrder.slice(0, 8)}` }).waitFor();
    await shot('05-my-orders');

    const order = (await apiClient(system.baseUrl, tokenFor('customer', alice))<OrderView>('GET', `/orders/${aliceOrder}`)).body;
    expect(order).toMatchObject({ status: 'CONFIRMED', userId: alice, totalCents: 32_000 });
    expect(order.items).toEqual(expect.arrayContaining([expect.objectContaining({ petId: pets.biscuit.id, quantity: 2 }), expect.objectContaining({ petId: pets.noodle.id, quantity: 1 })]));
  }, 120_000);

  it('on a phone: tok_declined cancels the order, and the page says why', async () => {
    const { page, shot } = await open(VIEWPORTS.phone);
    await devSignIn(page, system.baseUrl, bob);
    await page.goto(`${system.baseUrl}/shop/pets/${pets.noodle.id}`);
    await page.getByRole('button', { name: 'Add to basket' }).click();
    await page.goto(`${system.baseUrl}/shop/basket`);
    await page.getByLabel('Payment token').fill('tok_declined');
    await shot('phone-01-basket');
    // Nothing sticks out of a phone's width.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(VIEWPORTS.phone.width);
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/\/shop\/orders\//);
    await statusReads(page, 'Cancelled');
    expect(await page.getByTestId('order-status').textContent()).toContain('The payment was declined.');
    await shot('phone-02-order-cancelled');
    expect(await page.getByRole('button', { name: 'Pay' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Cancel this order' }).count()).toBe(0);
  }, 120_000);

  it('another customer cannot see the order: the page says it was not found, and their list does not show it', async () => {
    expect(aliceOrder).toBeDefined();
    const { page, shot } = await open(VIEWPORTS.phone);
    await devSignIn(page, system.baseUrl, `${bob}-2`);
    await page.goto(`${system.baseUrl}/shop/orders/${aliceOrder}`);
    await page.getByRole('alert').filter({ hasText: `Order ${aliceOrder} not found.` }).waitFor();
    expect(await page.getByText(pets.biscuit.name).count()).toBe(0);
    await shot('phone-03-foreign-order');
    await page.goto(`${system.baseUrl}/shop/orders`);
    await page.getByText('No orders yet.').waitFor();
  }, 60_000);

  it('OpenID Connect sign-in (code + PKCE) at a local provider; tok_pending waits, pay again with tok_ok confirms', async () => {
    const { page, shot } = await open(VIEWPORTS.desktop);
    await page.goto(`${system.baseUrl}/shop/pets/${pets.biscuit.id}`);
    await page.getByRole('button', { name: 'Add to basket' }).click();
    await page.goto(`${system.baseUrl}/shop/basket`);
    await page.getByRole('link', { name: 'Sign in to check out' }).click();
    await page.getByRole('button', { name: 'Sign in with your account' }).click();
    // The provider's own development login and consent pages.
    await page.waitForURL((url) => url.origin !== system.baseUrl);
    await page.locator('input[name=login]').fill(carol);
    await page.locator('input[name=password]').fill('any password');
    await shot('oidc-01-provider-login');
    await page.locator('button[type=submit]').click();
    while (new URL(page.url()).origin !== system.baseUrl) {
      await page.locator('button[type=submit]').first().click({ timeout: 10_000 });
      await page.waitForLoadState();
    }
    await page.waitForURL(`${system.baseUrl}/shop/basket`);
    await page.getByTestId('signed-in-as').filter({ hasText: /\(OIDC\)/ }).waitFor();
    await shot('oidc-02-signed-in-basket');

    await page.getByLabel('Payment token').fill('tok_pending');
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/\/shop\/orders\//);
    const orderId = page.url().split('/').pop()!;
    await statusReads(page, 'Awaiting payment');
    await page.getByText('The payment is pending.').waitFor({ timeout: SETTLE_MS });
    await shot('oidc-03-order-awaiting-payment');
    await page.getByLabel('Payment token').fill('tok_ok');
    await page.getByRole('button', { name: 'Pay', exact: true }).click();
    await statusReads(page, 'Confirmed');
    await shot('oidc-04-order-confirmed');

    // The token the storefront minted speaks for the provider's subject.
    const order = (await apiClient(system.baseUrl, tokenFor('customer', carol))<OrderView>('GET', `/orders/${orderId}`)).body;
    expect(order).toMatchObject({ status: 'CONFIRMED', userId: carol });
  }, 120_000);
});
