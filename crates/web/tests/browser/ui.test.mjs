// The web UI in Debian Chromium against the real backend: every flow a user
// has, keyboard included, the error states, axe-core on every screen (light
// and dark, desktop and phone), and a screenshot of each screen at
// 1280×800 and 390×844 into <repo>/screenshots. See harness.mjs for the
// environment it reads. Run: TODO_BIN=… WEB_DIST=… npm test

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  startStack,
  launchBrowser,
  axeViolations,
  screenshotDir,
  api,
  seedUser,
  VIEWPORTS,
  SESSION_KEY,
} from './harness.mjs';

const PASSWORD = 'correct horse battery';
const shots = screenshotDir();

let stack;
let browser;
/** Every axe violation, of any impact, by screen. */
const axeFailures = [];
/** Screens checked, and axe-core runs (screen × viewport × theme). */
const checked = { screens: new Set(), runs: 0 };
/** Uncaught page errors and CSP refusals: none is expected. */
const pageProblems = [];

/** Retries `check` until it stops throwing, for at most `ms`. */
async function eventually(check, ms = 8000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function newPage(viewport = 'desktop', options = {}) {
  const context = await browser.newContext({
    viewport: VIEWPORTS[viewport],
    timezoneId: 'UTC',
    locale: 'en-US',
    colorScheme: 'light',
    reducedMotion: 'reduce',
    ...options,
  });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageProblems.push(`pageerror on ${page.url()}: ${e.message}`));
  page.on('console', (m) => {
    if (process.env.BROWSER_LOG) console.log(`# console.${m.type()} ${page.url()}: ${m.text()}`);
    if (m.type() === 'error' && /Content.Security.Policy|panicked/i.test(m.text())) {
      pageProblems.push(`console on ${page.url()}: ${m.text()}`);
    }
  });
  return page;
}

/**
 * One screen: axe-core in light and dark, at each viewport, and a
 * screenshot of each (`<name>-<viewport>.png`, `-dark` for dark). The page
 * is left at its first viewport, in light.
 */
async function screen(page, name, viewports = ['desktop', 'phone']) {
  const original = page.viewportSize();
  for (const viewport of viewports) {
    await page.setViewportSize(VIEWPORTS[viewport]);
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      // Let layout and transitions settle (reduced motion: none run).
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      if (shots) {
        const suffix = scheme === 'dark' ? '-dark' : '';
        await page.screenshot({ path: join(shots, `${name}-${viewport}${suffix}.png`) });
      }
      const all = await axeViolations(page);
      checked.screens.add(name);
      checked.runs += 1;
      // Any impact counts: minor and moderate ones are debt too.
      for (const v of all) {
        axeFailures.push(`${name} (${viewport}, ${scheme}): ${v.id} [${v.impact}] ${v.help}\n    ${v.nodes.join('\n    ')}`);
      }
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(original);
}

/** The titles of the task rows shown, in order. */
function titles(page) {
  return page.$$eval('.task-row .task-title', (buttons) =>
    buttons.map((b) => b.textContent.replace(/^Edit /, '').trim()),
  );
}

const row = (page, title) => page.locator('.task-row', { has: page.locator('.task-title', { hasText: title }) });

async function session(page) {
  return page.evaluate((key) => JSON.parse(localStorage.getItem(key) || 'null'), SESSION_KEY);
}

/** A new page signed in as a new user seeded through the API. */
async function signedInPage(user, viewport = 'desktop') {
  const seeded = await seedUser(stack, user);
  const page = await newPage(viewport);
  await page.goto(`${stack.url}/signin`);
  await page.evaluate(([key, value]) => localStorage.setItem(key, JSON.stringify(value)), [SESSION_KEY, seeded]);
  await page.goto(stack.url);
  await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
  return page;
}

/** The focused element: a row's title as "row: <title>", else its tag name. */
function focused(page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (element?.classList.contains('task-title')) return `row: ${element.textContent.replace(/^Edit /, '').trim()}`;
    return element ? element.tagName.toLowerCase() : 'none';
  });
}

async function signUpThroughUi(page, { name, email, password = PASSWORD }) {
  await page.goto(`${stack.url}/signup`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
}

describe('web UI', { concurrency: false }, () => {
  const alice = { name: 'Alice', email: 'alice@example.com' };
  const bob = { name: 'Bob', email: 'bob@example.com' };
  let page; // Alice's, on a desktop

  before(async () => {
    stack = await startStack();
    browser = await launchBrowser();
    console.log(`# serving ${stack.url}${stack.behindNginx ? ' (nginx in front)' : ''} on ${stack.databaseUrl.split(':')[0]}`);
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('sign-up shows a short password next to its field, then creates the account', async () => {
    page = await newPage('desktop');
    // A signed-out first visit asks the API for nothing it would refuse.
    const apiCalls = [];
    const consoleErrors = [];
    const onRequest = (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/api/')) apiCalls.push(`${r.method()} ${path}`);
    };
    const onConsole = (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    };
    page.on('request', onRequest);
    page.on('console', onConsole);
    await page.goto(stack.url);
    // Signed out: the app goes to sign-in.
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/signin');
    await page.waitForLoadState('networkidle');
    page.off('request', onRequest);
    page.off('console', onConsole);
    assert.deepEqual(apiCalls, [], 'no API call before signing in');
    assert.deepEqual(consoleErrors, [], 'no console error on a first visit');
    await screen(page, 'signin');

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    await screen(page, 'signup');

    await page.getByLabel('Name').fill(alice.name);
    await page.getByLabel('Email').fill(alice.email);
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Sign up' }).click();
    const error = page.locator('#signup-password-error');
    await eventually(async () => assert.match(await error.textContent(), /at least \d+ characters/i));
    // The message is tied to its field for screen readers.
    const described = await page.getByLabel('Password', { exact: true }).getAttribute('aria-describedby');
    assert.ok(described.split(' ').includes('signup-password-error'), described);
    assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true');
    await screen(page, 'signup-errors');

    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal((await session(page)).user.email, alice.email);
    await page.getByText('All clear.').waitFor();
    await screen(page, 'tasks-empty');
  });

  it('quick-add (n) previews the parsed date, time, priority and tags as chips', async () => {
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('n');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'quick-add');

    await page.keyboard.type('Call mom friday 5pm #family p2');
    const preview = page.locator('#quick-add-preview');
    await preview.locator('.chip-tag').waitFor();
    const kinds = await preview.locator('.chip').evaluateAll((chips) => chips.map((c) => c.dataset.kind));
    assert.deepEqual(kinds.sort(), ['date', 'priority', 'tag', 'time']);
    assert.equal((await preview.locator('.preview-title').textContent()).replace('Title: ', ''), 'Call mom');
    assert.match(await preview.locator('.chip-priority').textContent(), /high/i);
    assert.match(await preview.locator('.chip-tag').textContent(), /family/);
    await screen(page, 'tasks-chips');

    await page.keyboard.press('Enter');
    await row(page, 'Call mom').waitFor();
    const meta = await row(page, 'Call mom').locator('.task-meta').textContent();
    // "friday" is the coming Friday, which on a Thursday is tomorrow.
    const thursday = await page.evaluate(() => new Date().getDay() === 4);
    assert.match(meta, thursday ? /Tomorrow/ : /Fri/);
    assert.match(meta, /5:00\s?PM|17:00/);
    assert.match(meta, /High/);
    assert.match(meta, /#family/);
    assert.equal(await page.locator('#quick-add').inputValue(), '', 'the bar empties after adding');

    // Dismissing a chip keeps its words in the title.
    await page.locator('#quick-add').fill('Read chapter 4 p4');
    await preview.locator('.chip-priority').waitFor();
    await preview.locator('.chip-priority .chip-dismiss').click();
    await preview.locator('.chip').waitFor({ state: 'detached' });
    await page.locator('#quick-add').press('Enter');
    await row(page, 'Read chapter 4 p4').waitFor();

    for (const line of ['Pay rent every month p1 #home', 'Buy stamps tomorrow #errands', 'Water plants']) {
      await page.locator('#quick-add').fill(line);
      await page.locator('#quick-add').press('Enter');
      await eventually(async () => assert.equal(await page.locator('#quick-add').inputValue(), ''));
    }
    await row(page, 'Water plants').waitFor();
    assert.match(await row(page, 'Pay rent').locator('.meta-recurrence').textContent(), /month/i);
    assert.deepEqual(await titles(page), ['Water plants', 'Buy stamps', 'Pay rent', 'Read chapter 4 p4', 'Call mom']);
    // A list rather than a stack of cards: regular titles, the priority on
    // the checkbox, today and tomorrow set apart from other dates.
    const look = await page.evaluate(() => {
      const rowOf = (title) =>
        [...document.querySelectorAll('.task-row')].find((r) => r.querySelector('.task-title').textContent.includes(title));
      const ring = (title) => getComputedStyle(rowOf(title).querySelector('.task-check')).borderTopColor;
      return {
        titleWeight: getComputedStyle(rowOf('Water plants').querySelector('.task-title')).fontWeight,
        rowShadow: getComputedStyle(rowOf('Water plants').closest('.task-item')).boxShadow,
        urgent: ring('Pay rent'),
        high: ring('Call mom'),
        none: ring('Water plants'),
        today: rowOf('Pay rent').querySelector('.meta-due').className,
        tomorrow: rowOf('Buy stamps').querySelector('.meta-due').className,
      };
    });
    assert.equal(look.titleWeight, '400');
    assert.equal(look.rowShadow, 'none');
    assert.equal(new Set([look.urgent, look.high, look.none]).size, 3, JSON.stringify(look));
    assert.match(look.today, /\btoday\b/);
    assert.match(look.tomorrow, /\btomorrow\b/);
    // Toasts dismissed (by their button) for a clean screenshot.
    while ((await page.locator('.toast-close').count()) > 0) await page.locator('.toast-close').first().click();
    await screen(page, 'tasks');
  });

  it('at most three toasts show at once; the newest stays', async () => {
    const carol = await signedInPage({ name: 'Carol', email: 'carol@example.com' });
    for (let i = 1; i <= 5; i += 1) {
      await carol.locator('#quick-add').fill(`Errand ${i}`);
      await carol.locator('#quick-add').press('Enter');
      await eventually(async () => assert.equal(await carol.locator('#quick-add').inputValue(), ''));
    }
    await row(carol, 'Errand 5').waitFor();
    await carol.locator('.toast', { hasText: 'Added “Errand 5”' }).waitFor();
    const shown = await carol.locator('.toast span').allTextContents();
    assert.deepEqual(shown, ['Added “Errand 3”', 'Added “Errand 4”', 'Added “Errand 5”']);
    await carol.context().close();
  });

  it('the keyboard alone: ? lists the shortcuts, j/k move, e edits, x and Space complete, # filters by tag', async () => {
    const dave = await signedInPage({ name: 'Dave', email: 'dave@example.com' });
    const token = (await session(dave)).token;
    for (const title of ['Third', 'Second', 'First']) {
      assert.equal((await api(stack, 'POST', '/api/tasks', { title, tags: ['kb'] }, token)).status, 201);
    }
    await dave.reload();
    await eventually(async () => assert.deepEqual(await titles(dave), ['First', 'Second', 'Third']));

    await dave.locator('body').click({ position: { x: 5, y: 300 } });
    await dave.keyboard.press('?');
    const help = dave.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    const keys = await help.locator('kbd').allTextContents();
    for (const key of ['n', '/', '#', 'j', 'k', 'x', 'Space', 'e', 'Esc', '?']) {
      assert.ok(keys.includes(key), `${key} is listed`);
    }
    assert.equal(await dave.evaluate(() => document.activeElement.textContent), 'Close');
    await screen(dave, 'keyboard-help');
    await dave.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });

    await dave.keyboard.press('j');
    assert.equal(await focused(dave), 'row: First');
    for (let i = 0; i < 3; i += 1) await dave.keyboard.press('j');
    assert.equal(await focused(dave), 'row: Third', 'j stops at the last task');
    await dave.keyboard.press('k');
    assert.equal(await focused(dave), 'row: Second');

    await dave.keyboard.press('e');
    const editor = dave.locator('form.task-editor');
    await editor.waitFor();
    assert.equal(await editor.getByLabel('Title').inputValue(), 'Second');
    await dave.keyboard.press('Escape');
    await editor.waitFor({ state: 'detached' });
    await eventually(async () => assert.equal(await focused(dave), 'row: Second'));

    // Completing moves focus on to the neighbour, as the task leaves the list.
    await dave.keyboard.press('x');
    await row(dave, 'Second').waitFor({ state: 'detached' });
    assert.equal(await focused(dave), 'row: Third');
    await dave.keyboard.press(' ');
    await row(dave, 'Third').waitFor({ state: 'detached' });
    assert.equal(await focused(dave), 'row: First');
    const open = await api(stack, 'GET', '/api/tasks?status=pending', undefined, token);
    assert.deepEqual(open.body.items.map((t) => t.title), ['First']);

    await dave.keyboard.press('#');
    assert.equal(await dave.evaluate(() => document.activeElement.id), 'tag-filter');
    await dave.context().close();
  });

  it('views: Today with Overdue, Upcoming by day, tags, with counts; a strip and folded filters on a phone', async () => {
    const erin = await signedInPage({ name: 'Erin', email: 'erin@example.com' });
    const token = (await session(erin)).token;
    // Dates relative to today in UTC, the user's and the browser's zone.
    const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const seeded = [
      { title: 'Renew passport', due_at: day(-2), tags: ['admin'] },
      { title: 'Submit report', due_at: day(0), priority: 'high', tags: ['work'] },
      { title: 'Dentist', due_at: `${day(1)}T09:00:00Z`, tags: ['home'] },
      { title: 'Book flights', due_at: day(1) },
      { title: 'Team offsite', due_at: day(3), tags: ['work'] },
      { title: 'Learn Rust macros', tags: ['home'] },
    ];
    for (const task of seeded) {
      assert.equal((await api(stack, 'POST', '/api/tasks', task, token)).status, 201, task.title);
    }
    const done = await api(stack, 'POST', '/api/tasks', { title: 'Already done today', due_at: day(0) }, token);
    assert.equal((await api(stack, 'POST', `/api/tasks/${done.body.id}/complete`, undefined, token)).status, 200);
    await erin.reload();
    await row(erin, 'Learn Rust macros').waitFor();

    const nav = erin.getByRole('navigation', { name: 'Views' });
    const link = (name) => nav.getByRole('link', { name: new RegExp(`^${name.replace(/[#]/g, '\\$&')}\\b`) });
    const count = async (name) => (await link(name).locator('.view-count').textContent()).trim();
    // Counts: open tasks only, from the API's totals.
    await eventually(async () => {
      assert.deepEqual(
        [await count('Today'), await count('Upcoming'), await count('All tasks')],
        ['2', '3', '6'],
      );
    });
    assert.deepEqual(await nav.locator('.tag-link .view-name').allTextContents(), [
      '#admin',
      '#home',
      '#work',
    ]);
    assert.equal(await count('#work'), '2');
    assert.equal(await link('All tasks').getAttribute('aria-current'), 'page');
    // A sidebar beside the list on a wide screen.
    const [navBox, listBox] = [await nav.boundingBox(), await erin.locator('.task-list').first().boundingBox()];
    assert.ok(navBox.x + navBox.width <= listBox.x, `sidebar ${JSON.stringify(navBox)} left of the list ${JSON.stringify(listBox)}`);

    /** Each group's heading and its titles, in order. */
    const groups = () =>
      erin.$$eval('.task-group', (sections) =>
        sections.map((s) => [
          s.querySelector('.group-heading')?.textContent ?? null,
          [...s.querySelectorAll('.task-title')].map((b) => b.textContent.replace(/^Edit /, '').trim()),
        ]),
      );
    await link('Today').click();
    await erin.getByRole('heading', { name: 'Today', level: 1 }).waitFor();
    assert.equal(new URL(erin.url()).search, '?view=today');
    await eventually(async () =>
      assert.deepEqual(await groups(), [
        ['Overdue', ['Renew passport']],
        ['Today', ['Submit report']],
      ]),
    );
    assert.equal(await link('Today').getAttribute('aria-current'), 'page');
    // Each group is a list named by its heading.
    assert.equal(await erin.getByRole('list', { name: 'Overdue' }).locator('.task-row').count(), 1);
    // The view fixes status, due window and order: those filters step aside.
    assert.equal(await erin.getByLabel('Sort by').isVisible(), false);
    assert.equal(await erin.getByLabel('Due', { exact: true }).isVisible(), false);
    assert.equal(await erin.getByRole('group', { name: 'Status' }).count(), 0);
    await screen(erin, 'view-today');

    await link('Upcoming').click();
    await erin.getByRole('heading', { name: 'Upcoming', level: 1 }).waitFor();
    const inThree = new Date(`${day(3)}T12:00:00Z`);
    const label = (d) => {
      const weekday = d.toLocaleDateString('en-GB', { weekday: 'short', timeZone: 'UTC' });
      const month = d.toLocaleDateString('en-GB', { month: 'short', timeZone: 'UTC' });
      const year = d.getUTCFullYear() === new Date().getUTCFullYear() ? '' : ` ${d.getUTCFullYear()}`;
      return `${weekday} ${d.getUTCDate()} ${month}${year}`;
    };
    await eventually(async () =>
      assert.deepEqual(await groups(), [
        ['Tomorrow', ['Book flights', 'Dentist']],
        [label(inThree), ['Team offsite']],
      ]),
    );
    await screen(erin, 'view-upcoming');
    // The view is in the URL: a reload keeps it, back returns to Today.
    await erin.reload();
    await eventually(async () => assert.equal((await groups())[0][0], 'Tomorrow'));
    await erin.goBack();
    await eventually(async () => assert.equal((await groups())[0][0], 'Overdue'));

    // A tag's own list.
    await link('#home').click();
    await erin.getByRole('heading', { name: '#home', level: 1 }).waitFor();
    assert.equal(new URL(erin.url()).search, '?tag=home');
    await eventually(async () => assert.deepEqual((await titles(erin)).sort(), ['Dentist', 'Learn Rust macros']));
    assert.equal(await link('#home').getAttribute('aria-current'), 'page');
    await screen(erin, 'view-tag');

    // Completing from Today updates the list and the counts.
    await link('Today').click();
    await row(erin, 'Submit report').getByRole('checkbox').click();
    await row(erin, 'Submit report').waitFor({ state: 'detached' });
    await eventually(async () => assert.deepEqual([await count('Today'), await count('#work')], ['1', '1']));

    // A phone: the views are one strip above the list, and the filters fold
    // into one button (the search stays).
    const phone = await newPage('phone', { isMobile: true, hasTouch: true, storageState: await erin.context().storageState() });
    await phone.goto(`${stack.url}/?view=upcoming`);
    await phone.getByRole('heading', { name: 'Upcoming', level: 1 }).waitFor();
    await row(phone, 'Team offsite').waitFor();
    const strip = phone.getByRole('navigation', { name: 'Views' });
    const stripBox = await strip.boundingBox();
    assert.ok(stripBox.height < 60, `one line: ${JSON.stringify(stripBox)}`);
    assert.ok(stripBox.width <= 390);
    assert.equal(await phone.evaluate(() => document.documentElement.scrollWidth), 390, 'no sideways scrolling of the page');
    const filtersButton = phone.getByRole('button', { name: /^Filters/ });
    assert.equal(await filtersButton.getAttribute('aria-expanded'), 'false');
    assert.equal(await phone.getByLabel('Priority', { exact: true }).isVisible(), false);
    assert.ok(await phone.locator('#task-search').isVisible());
    // The first task sits high on the screen, not below a block of filters.
    const firstRow = await phone.locator('.task-row').first().boundingBox();
    assert.ok(firstRow.y < 400, `first task at ${firstRow.y}px`);
    await screen(phone, 'view-upcoming', ['phone']);
    await filtersButton.click();
    assert.equal(await filtersButton.getAttribute('aria-expanded'), 'true');
    await phone.getByLabel('Priority', { exact: true }).selectOption('urgent');
    await phone.getByText('No task matches these filters.').waitFor();
    assert.match(await filtersButton.textContent(), /Filters \(1\)/);
    await screen(phone, 'view-filters', ['phone']);
    await strip.getByRole('link', { name: /^Today\b/ }).click();
    await phone.getByRole('heading', { name: 'Today', level: 1 }).waitFor();
    await eventually(async () => assert.deepEqual(await titles(phone), ['Renew passport']));
    await phone.context().close();
    await erin.context().close();

    // Every open task's tags are listed, counted by the server: a tag only
    // on a task beyond the first page of 200 (the oldest) is there too.
    const finn = await signedInPage({ name: 'Finn', email: 'finn@example.com' });
    const finnToken = (await session(finn)).token;
    const seed = (task) => api(stack, 'POST', '/api/tasks', task, finnToken);
    assert.equal((await seed({ title: 'Someday: learn the cello', tags: ['someday'] })).status, 201);
    for (let i = 1; i <= 200; i += 1) assert.equal((await seed({ title: `Chore ${i}`, tags: ['chores'] })).status, 201);
    await finn.reload();
    const finnNav = finn.getByRole('navigation', { name: 'Views' });
    await eventually(async () =>
      assert.deepEqual(await finnNav.locator('.tag-link').allTextContents(), ['#chores 200', '#someday 1']),
    );
    assert.equal((await finnNav.getByRole('link', { name: /^All tasks\b/ }).locator('.view-count').textContent()).trim(), '201');
    // Listed in the tag filter too, and its list is one click away.
    assert.ok((await finn.locator('#tag-filter option').allTextContents()).includes('#someday'));
    await finnNav.getByRole('link', { name: /^#someday\b/ }).click();
    await finn.getByRole('heading', { name: '#someday', level: 1 }).waitFor();
    await eventually(async () => assert.deepEqual(await titles(finn), ['Someday: learn the cello']));
    await finn.context().close();
  });

  it('filters, search (/) and sort narrow and order the list', async () => {
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    assert.ok(await page.locator('.key-hint').isVisible(), 'the / hint shows where there is a keyboard');
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'task-search');
    await page.keyboard.type('rent');
    await eventually(async () => assert.deepEqual(await titles(page), ['Pay rent']));
    await page.locator('#task-search').fill('');
    await eventually(async () => assert.equal((await titles(page)).length, 5));

    await page.getByLabel('Tag', { exact: true }).selectOption('family');
    await eventually(async () => assert.deepEqual(await titles(page), ['Call mom']));
    // The filters are in the URL: a reload, back and forward keep them.
    await page.getByLabel('Priority', { exact: true }).selectOption('high');
    await eventually(async () => assert.equal(new URL(page.url()).search, '?tag=family&priority=high'));
    await page.reload();
    await eventually(async () => assert.deepEqual(await titles(page), ['Call mom']));
    assert.equal(await page.getByLabel('Tag', { exact: true }).inputValue(), 'family');
    assert.equal(await page.getByLabel('Priority', { exact: true }).inputValue(), 'high');
    await page.goBack();
    await eventually(async () => assert.equal(new URL(page.url()).search, '?tag=family'));
    await eventually(async () => assert.equal(await page.getByLabel('Priority', { exact: true }).inputValue(), ''));
    await page.goBack();
    await eventually(async () => assert.equal((await titles(page)).length, 5));
    assert.equal(await page.getByLabel('Tag', { exact: true }).inputValue(), '');
    await page.goForward();
    await eventually(async () => assert.deepEqual(await titles(page), ['Call mom']));
    await page.getByLabel('Tag', { exact: true }).selectOption('');

    await page.getByLabel('Priority', { exact: true }).selectOption('urgent');
    await eventually(async () => assert.deepEqual(await titles(page), ['Pay rent']));
    await page.getByLabel('Priority', { exact: true }).selectOption('');

    await page.getByLabel('Due', { exact: true }).selectOption('none');
    await eventually(async () => assert.deepEqual(await titles(page), ['Water plants', 'Read chapter 4 p4']));
    await page.getByLabel('Due', { exact: true }).selectOption('');

    // Clicking a tag on a row filters by it.
    await row(page, 'Buy stamps').getByRole('button', { name: '#errands' }).click();
    await eventually(async () => assert.deepEqual(await titles(page), ['Buy stamps']));
    assert.equal(await page.getByLabel('Tag', { exact: true }).inputValue(), 'errands');
    await page.getByLabel('Tag', { exact: true }).selectOption('');

    await page.getByLabel('Sort by').selectOption('title');
    await eventually(async () =>
      assert.deepEqual(await titles(page), ['Buy stamps', 'Call mom', 'Pay rent', 'Read chapter 4 p4', 'Water plants']),
    );
    await page.getByLabel('Sort by').selectOption('priority');
    await eventually(async () => assert.deepEqual((await titles(page)).slice(0, 2), ['Pay rent', 'Call mom']));

    await page.locator('#task-search').fill('nothing like this');
    await page.getByText('No task matches these filters.').waitFor();
    await screen(page, 'tasks-no-match');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByLabel('Sort by').selectOption('created');
    await eventually(async () => assert.equal((await titles(page)).length, 5));
  });

  it('edits a task in place; Esc and Cancel close the editor and focus returns to the row', async () => {
    await row(page, 'Water plants').locator('.task-title').click();
    const editor = page.locator('form.task-editor');
    await editor.waitFor();
    assert.equal(await editor.getByLabel('Title').inputValue(), 'Water plants');
    await screen(page, 'editor');
    await page.keyboard.press('Escape');
    await editor.waitFor({ state: 'detached' });
    await eventually(async () => assert.equal(await focused(page), 'row: Water plants'));

    await page.keyboard.press('Enter');
    await editor.waitFor();
    await editor.getByRole('button', { name: 'Cancel' }).click();
    await editor.waitFor({ state: 'detached' });
    await eventually(async () => assert.equal(await focused(page), 'row: Water plants'));

    await row(page, 'Water plants').locator('.task-title').click();
    await editor.getByLabel('Title').fill('Water the plants');
    await editor.getByLabel('Notes').fill('Ferns first');
    await editor.getByLabel('Priority').selectOption('medium');
    await editor.getByLabel('Due date').fill('2031-05-04');
    await editor.getByLabel('Tags (space separated)').fill('home garden');
    await editor.getByRole('button', { name: 'Save' }).click();
    await editor.waitFor({ state: 'detached' });
    const edited = row(page, 'Water the plants');
    await edited.waitFor();
    const text = await edited.textContent();
    assert.match(text, /Ferns first/);
    assert.match(text, /Medium/);
    assert.match(text, /#garden/);
    assert.match(text, /May 4|4 May|2031/);
    // Saved: focus is on the row as it now reads.
    await eventually(async () => assert.equal(await focused(page), 'row: Water the plants'));

    // A server-side rule shows next to its field: an empty title.
    await edited.locator('.task-title').click();
    await editor.getByLabel('Title').fill('   ');
    await editor.getByRole('button', { name: 'Save' }).click();
    await eventually(async () => assert.notEqual((await editor.locator('.field-error').first().textContent()).trim(), ''));
    await page.keyboard.press('Escape');
    await editor.waitFor({ state: 'detached' });

    // A repeat beyond the named ones, set with controls (no RRULE to type):
    // every 3 weeks on Monday and Thursday.
    await edited.locator('.task-title').click();
    await editor.getByLabel('Repeats').selectOption('custom');
    assert.equal(await editor.getByLabel(/RRULE/i).count(), 0, 'no rule to type');
    await editor.getByLabel('Every', { exact: true }).fill('3');
    await editor.getByLabel('Unit', { exact: true }).selectOption('WEEKLY');
    await editor.getByRole('button', { name: 'Mon', exact: true }).click();
    await editor.getByRole('button', { name: 'Thu', exact: true }).click();
    assert.equal(await editor.getByRole('button', { name: 'Mon', exact: true }).getAttribute('aria-pressed'), 'true');
    await screen(page, 'editor-repeat', ['desktop', 'phone']);
    await editor.getByRole('button', { name: 'Save' }).click();
    await editor.waitFor({ state: 'detached' });
    const repeats = row(page, 'Water the plants').locator('.meta-recurrence');
    await eventually(async () => assert.match(await repeats.textContent(), /3 weeks.*Monday.*Thursday/i));
    const stored = await api(stack, 'GET', '/api/tasks?q=plants', undefined, (await session(page)).token);
    assert.equal(stored.body.items[0].recurrence, 'FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TH');
    // Reopened, the controls show it again.
    await row(page, 'Water the plants').locator('.task-title').click();
    assert.equal(await editor.getByLabel('Repeats').inputValue(), 'custom');
    assert.equal(await editor.getByLabel('Every', { exact: true }).inputValue(), '3');
    assert.equal(await editor.getByRole('button', { name: 'Thu', exact: true }).getAttribute('aria-pressed'), 'true');
    assert.equal(await editor.getByRole('button', { name: 'Tue', exact: true }).getAttribute('aria-pressed'), 'false');
    await page.keyboard.press('Escape');
    await editor.waitFor({ state: 'detached' });
  });

  it('completes a task, finds it under Done, clears completed (Esc closes the dialog)', async () => {
    // click(), not check(): the row leaves the list once the server answers,
    // and check() would wait for the detached box to read as checked.
    await row(page, 'Buy stamps').getByRole('checkbox').click();
    await row(page, 'Buy stamps').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Done', exact: true }).click();
    await eventually(async () => assert.deepEqual(await titles(page), ['Buy stamps']));
    assert.ok(await row(page, 'Buy stamps').getByRole('checkbox').isChecked());
    assert.match(await row(page, 'Buy stamps').getAttribute('class'), /\bdone\b/);

    // Reopen and complete again, from the Done list.
    await row(page, 'Buy stamps').getByRole('checkbox').click();
    await page.getByText('Nothing completed yet.').waitFor();
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await row(page, 'Buy stamps').getByRole('checkbox').click();
    await row(page, 'Buy stamps').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Done', exact: true }).click();
    await row(page, 'Buy stamps').waitFor();

    const dialog = page.getByRole('alertdialog', { name: 'Clear completed tasks?' });
    await page.getByRole('button', { name: 'Clear completed' }).click();
    await dialog.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Cancel', 'focus starts on Cancel');
    await screen(page, 'dialog-clear-completed');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await row(page, 'Buy stamps').waitFor();

    await page.getByRole('button', { name: 'Clear completed' }).click();
    await dialog.getByRole('button', { name: 'Clear completed' }).click();
    await page.locator('.toast', { hasText: 'Cleared 1 completed task.' }).waitFor();
    await page.getByText('Nothing completed yet.').waitFor();
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await eventually(async () => assert.equal((await titles(page)).length, 4));
  });

  it('completing animates the row before it leaves, and not at all with reduced motion', async () => {
    const seeded = await seedUser(stack, { email: 'motion@example.com', name: 'Motion' });
    for (const title of ['Water ferns', 'Oil the bike']) {
      assert.equal((await api(stack, 'POST', '/api/tasks', { title }, seeded.token)).status, 201);
    }
    for (const [motion, title] of [['no-preference', 'Water ferns'], ['reduce', 'Oil the bike']]) {
      const page = await newPage('desktop', { reducedMotion: motion });
      await page.goto(`${stack.url}/signin`);
      await page.evaluate(([key, value]) => localStorage.setItem(key, JSON.stringify(value)), [SESSION_KEY, seeded]);
      await page.goto(stack.url);
      await row(page, title).waitFor();
      // What happens from the click on, in order: the completion's
      // animations starting and ending, and the row leaving the page.
      await page.evaluate((id) => {
        window.events = [];
        const names = ['check-pop', 'task-done'];
        for (const type of ['animationstart', 'animationend']) {
          document.addEventListener(type, (e) => names.includes(e.animationName) && window.events.push(`${type} ${e.animationName}`));
        }
        new MutationObserver(() => {
          if (!document.querySelector(`[data-task-id="${id}"]`) && !window.events.includes('row left')) window.events.push('row left');
        }).observe(document.body, { childList: true, subtree: true });
      }, await row(page, title).getAttribute('data-task-id'));
      await row(page, title).getByRole('checkbox').click();
      await row(page, title).waitFor({ state: 'detached' });
      const events = await page.evaluate(() => window.events);
      if (motion === 'reduce') {
        assert.deepEqual(events, ['row left']);
      } else {
        // Both animations start while the row is still there.
        for (const name of ['check-pop', 'task-done']) assert.ok(events.includes(`animationstart ${name}`), events.join(', '));
        assert.equal(events.at(-1), 'row left', events.join(', '));
      }
      await page.context().close();
    }
  });

  it('deletes with undo: undone stays, the other is gone from the server', async () => {
    const token = (await session(page)).token;
    await row(page, 'Call mom').getByRole('button', { name: 'Delete “Call mom”' }).click();
    await row(page, 'Call mom').waitFor({ state: 'detached' });
    const toast = page.locator('.toast', { hasText: 'Deleted “Call mom”' });
    await toast.waitFor();
    await screen(page, 'tasks-undo', ['desktop']);
    await toast.getByRole('button', { name: 'Undo' }).click();
    await row(page, 'Call mom').waitFor();

    await row(page, 'Read chapter 4 p4').getByRole('button', { name: /^Delete/ }).click();
    await row(page, 'Read chapter 4 p4').waitFor({ state: 'detached' });
    // The deletion is sent when the undo delay is over.
    await eventually(async () => {
      const list = await api(stack, 'GET', '/api/tasks?status=all', undefined, token);
      const names = list.body.items.map((t) => t.title);
      assert.ok(!names.includes('Read chapter 4 p4'), names.join(', '));
      assert.ok(names.includes('Call mom'));
    }, 15_000);
    assert.equal((await titles(page)).includes('Call mom'), true);
  });

  it('chat adds a task: streamed reply, an action chip, the list updates without a reload', async () => {
    await page.evaluate(() => {
      window.__notReloaded = true;
    });
    const chat = page.locator('#chat-panel');
    assert.ok(await chat.isVisible(), 'the chat sits beside the list on a wide screen');
    await screen(page, 'chat-empty', ['desktop']);
    // The message box and Send line up, with no resize grip between them;
    // the box grows with its text instead.
    const input = chat.getByLabel('Message the assistant');
    const box = await input.boundingBox();
    const sendBox = await chat.getByRole('button', { name: 'Send' }).boundingBox();
    const lineUp = JSON.stringify({ box, sendBox });
    assert.ok(Math.abs(box.y - sendBox.y) <= 1 && Math.abs(box.height - sendBox.height) <= 1, lineUp);
    assert.equal(await input.evaluate((t) => getComputedStyle(t).resize), 'none');
    await input.fill('one\ntwo\nthree');
    assert.ok((await input.boundingBox()).height > box.height + 10, 'the box grows with its text');
    await input.fill('');

    // A suggestion fills the box, to be read and sent; it sends nothing itself.
    const sent = [];
    const onRequest = (r) => r.url().endsWith('/api/chat') && sent.push(r.url());
    page.on('request', onRequest);
    await chat.getByRole('button', { name: 'add buy milk tomorrow at 9am #shopping' }).click();
    assert.equal(await chat.getByLabel('Message the assistant').inputValue(), 'add buy milk tomorrow at 9am #shopping');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'chat-input');
    await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
    page.off('request', onRequest);
    assert.deepEqual(sent, [], 'a suggestion sends nothing');
    assert.equal(await chat.locator('.message').count(), 0);

    const streamed = page.waitForResponse((r) => r.url().endsWith('/api/chat') && r.request().method() === 'POST');
    await chat.getByLabel('Message the assistant').press('Enter');
    const response = await streamed;
    assert.match(response.headers()['content-type'], /text\/event-stream/);
    assert.equal(response.request().headers().accept, 'text/event-stream');

    const reply = chat.locator('.message.from-assistant').last();
    await eventually(async () => assert.match(await reply.locator('.message-text').textContent(), /Added “Buy milk”.*tomorrow.*9:00/));
    const chip = reply.locator('.action-chip[data-tool="add_task"]');
    await chip.waitFor();
    assert.match(await chip.textContent(), /Added “Buy milk”/);
    assert.equal(await chip.evaluate((c) => c.classList.contains('failed')), false);
    assert.match(await chat.locator('.message.from-user').last().textContent(), /add buy milk tomorrow at 9am #shopping/);

    await row(page, 'Buy milk').waitFor();
    assert.match(await row(page, 'Buy milk').textContent(), /#shopping/);
    assert.equal(await page.evaluate(() => window.__notReloaded), true, 'no reload happened');
    await screen(page, 'chat-reply', ['desktop']);

    // Asking to complete it through the chat updates the list too.
    await chat.getByLabel('Message the assistant').fill('complete buy milk');
    await chat.getByLabel('Message the assistant').press('Enter');
    await chat.locator('.action-chip[data-tool="complete_task"]').waitFor();
    await row(page, 'Buy milk').waitFor({ state: 'detached' });
    // The look-up that found the task is not an action of its own.
    const chips = chat.locator('.message.from-assistant').last().locator('.action-chip');
    assert.deepEqual(await chips.evaluateAll((list) => list.map((c) => c.dataset.tool)), ['complete_task']);
  });

  it('past conversations come back after a reload; an unreadable answer is said, not dropped', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
    const chat = page.locator('#chat-panel');
    const historyButton = chat.getByRole('button', { name: 'History' });
    await historyButton.click();
    const history = chat.locator('#chat-history');
    const entry = history.locator('.history-open', { hasText: 'add buy milk tomorrow at 9am #shopping' });
    await entry.waitFor();
    // Dates read the same everywhere: the words the task list uses.
    assert.match(await entry.textContent(), /Today$/);
    await screen(page, 'chat-history', ['desktop']);
    await entry.click();
    await chat.locator('.message.from-user', { hasText: 'complete buy milk' }).waitFor();
    assert.deepEqual(await chat.locator('.message.from-user .message-text').allTextContents(), [
      'add buy milk tomorrow at 9am #shopping',
      'complete buy milk',
    ]);
    await chat.locator('.action-chip[data-tool="add_task"]').waitFor();
    await chat.locator('.action-chip[data-tool="complete_task"]').waitFor();

    // A long conversation scrolls, and the keyboard can reach its log.
    await page.setViewportSize({ width: 1280, height: 420 });
    const log = chat.locator('.chat-log');
    await eventually(async () => assert.ok(await log.evaluate((l) => l.scrollHeight > l.clientHeight), 'the log scrolls'));
    assert.equal(await log.evaluate((l) => l.tabIndex), 0);
    const rules = (await axeViolations(page)).map((v) => v.id);
    assert.ok(!rules.includes('scrollable-region-focusable'), rules.join(', '));
    await page.setViewportSize(VIEWPORTS.desktop);

    // An answer of another shape is an error on screen, never an empty list.
    await page.route('**/api/conversations', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: '[]' }),
    );
    // (Opening a conversation closed the list.)
    await history.waitFor({ state: 'detached' });
    await historyButton.click();
    const alert = history.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.textContent(), /could not be read/);
    await page.unroute('**/api/conversations');
    await alert.getByRole('button', { name: 'Try again' }).click();
    await entry.waitFor();
    await historyButton.click();
    await history.waitFor({ state: 'detached' });
  });

  it('on a phone the chat is a drawer; Esc closes it', async () => {
    const phone = await newPage('phone', { isMobile: true, hasTouch: true, storageState: await page.context().storageState() });
    await phone.goto(stack.url);
    await phone.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
    await row(phone, 'Water the plants').waitFor();
    // No keyboard shortcut hint on a touch screen.
    assert.equal(await phone.locator('.key-hint').isVisible(), false);
    assert.doesNotMatch(await phone.locator('#task-search').getAttribute('placeholder'), /\//);
    // The first Tab reaches the skip link, which moves focus to the content.
    await phone.keyboard.press('Tab');
    assert.equal(await phone.evaluate(() => document.activeElement.textContent), 'Skip to content');
    await phone.keyboard.press('Enter');
    await eventually(async () => assert.equal(await phone.evaluate(() => document.activeElement.id), 'main'));

    const chat = phone.locator('#chat-panel');
    assert.equal(await chat.isVisible(), false, 'the drawer starts closed');
    const toggle = phone.getByRole('button', { name: 'Assistant', exact: true });
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    await toggle.click();
    await eventually(async () => assert.ok(await chat.isVisible()));
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    // Focus moves into the drawer, and back to its button when it closes.
    await eventually(async () => assert.equal(await phone.evaluate(() => document.activeElement.id), 'chat-input'));
    await chat.getByLabel('Message the assistant').fill("what's due this week?");
    await chat.getByLabel('Message the assistant').press('Enter');
    await chat.locator('.action-chip[data-tool="list_tasks"]').waitFor();
    await screen(phone, 'chat-drawer', ['phone']);
    await phone.keyboard.press('Escape');
    await eventually(async () => assert.equal(await chat.isVisible(), false));
    await eventually(async () => assert.equal(await phone.evaluate(() => document.activeElement.id), 'chat-toggle'));
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    await phone.context().close();
  });

  it('creates a personal access token and shows its secret once', async () => {
    await page.getByRole('link', { name: 'Access tokens' }).click();
    await page.getByRole('heading', { name: 'Access tokens', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/tokens');
    await page.getByText('No tokens yet.').waitFor();
    await page.getByLabel('Token name').fill('Claude Desktop');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = page.locator('[data-testid="token-secret"]');
    await secret.waitFor();
    const value = (await secret.textContent()).trim();
    assert.match(value, /^tdc_/);
    await page.locator('.token-table').getByText('Claude Desktop').waitFor();
    const cells = await page.locator('.token-table tbody tr').first().locator('td').allTextContents();
    assert.deepEqual(cells.slice(2, 4), ['Today', 'Never'], 'dates in the words the task list uses');
    // Copy puts the secret on the clipboard.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.url });
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), value);
    await screen(page, 'tokens-secret');

    // The token works for the API as Alice.
    const me = await api(stack, 'GET', '/api/me', undefined, value);
    assert.equal(me.status, 200);
    assert.equal(me.body.email, alice.email);

    // Shown once: after a reload only its prefix is listed.
    await page.reload();
    await page.locator('.token-table').getByText('Claude Desktop').waitFor();
    assert.equal(await secret.count(), 0);
    assert.equal(await page.getByText(value).count(), 0);

    await page.getByRole('button', { name: 'Revoke “Claude Desktop”' }).click();
    await page.getByText('No tokens yet.').waitFor();
    assert.equal((await api(stack, 'GET', '/api/me', undefined, value)).status, 401);
    await page.getByRole('link', { name: 'Tasks' }).click();
    await row(page, 'Water the plants').waitFor();
  });

  it("a second user sees none of the first user's tasks", async () => {
    const other = await newPage('desktop');
    await signUpThroughUi(other, bob);
    await other.getByText('All clear.').waitFor();
    assert.deepEqual(await titles(other), []);
    await other.locator('#task-search').fill('milk');
    await other.getByText('No task matches these filters.').waitFor();
    await other.locator('#task-search').fill('');
    await other.getByRole('button', { name: 'Done', exact: true }).click();
    await other.getByText('Nothing completed yet.').waitFor();
    const bobToken = (await session(other)).token;
    const list = await api(stack, 'GET', '/api/tasks?status=all', undefined, bobToken);
    assert.equal(list.body.total, 0);

    // Sign out: back to sign-in, session gone.
    await other.getByRole('button', { name: 'Sign out' }).click();
    await other.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await session(other), null);
    // Signed out, the task page sends back to sign-in.
    await other.goto(stack.url);
    await other.getByRole('heading', { name: 'Sign in' }).waitFor();

    // A wrong password is said plainly.
    await other.getByLabel('Email').fill(alice.email);
    await other.getByLabel('Password').fill('not the password');
    await other.getByRole('button', { name: 'Sign in' }).click();
    await other.getByRole('alert').getByText('Wrong email or password.').waitFor();
    await screen(other, 'signin-wrong-password');

    await other.getByLabel('Password').fill(PASSWORD);
    await other.getByRole('button', { name: 'Sign in' }).click();
    await row(other, 'Water the plants').waitFor();
    await other.context().close();
  });

  it('before the wasm runs, a signed-in visit to the list shows its frame (the largest paint); any other visit the mark', async () => {
    const seeded = await seedUser(stack, { email: 'frame@example.com', name: 'Frame' });
    const quickAdd = '.boot .quick-add input';
    // Not newPage(): the aborted wasm is a page error here, on purpose.
    const bare = async (viewport) => (await browser.newContext({ viewport: VIEWPORTS[viewport], reducedMotion: 'reduce' })).newPage();
    for (const viewport of ['phone', 'desktop']) {
      const page = await bare(viewport);
      // Nothing past the page, its style and its script: the wasm never comes.
      await page.route('**/*.wasm', (route) => route.abort());
      await page.goto(`${stack.url}/signin`);
      await page.evaluate(([key, value]) => localStorage.setItem(key, JSON.stringify(value)), [SESSION_KEY, seeded]);
      await page.goto(stack.url);
      await page.locator(quickAdd).waitFor();
      assert.equal(await page.locator('.boot-mark').isVisible(), false);
      const frame = await page.locator(quickAdd).boundingBox();
      await page.goto(`${stack.url}/tokens`);
      await page.locator('.boot-mark').waitFor();
      assert.equal(await page.locator(quickAdd).isVisible(), false);

      // With the wasm: the app's quick-add lies where the frame's was, and
      // the frame is invisible but still laid out (see app.css).
      await page.unroute('**/*.wasm');
      await page.goto(stack.url);
      await page.getByLabel('Add a task').waitFor();
      assert.deepEqual(await page.getByLabel('Add a task').boundingBox(), frame);
      assert.equal(await page.locator('.boot').evaluate((e) => getComputedStyle(e).visibility), 'hidden');
      await page.context().close();
    }
    const signedOut = await bare('phone');
    await signedOut.route('**/*.wasm', (route) => route.abort());
    await signedOut.goto(stack.url);
    await signedOut.locator('.boot-mark').waitFor();
    assert.equal(await signedOut.locator(quickAdd).isVisible(), false);
    await signedOut.context().close();
  });

  it('an invalid session goes back to sign-in, with a reason', async () => {
    const current = await session(page);
    await page.evaluate(
      ([key, value]) => localStorage.setItem(key, JSON.stringify(value)),
      [SESSION_KEY, { ...current, token: `${current.token.slice(0, -6)}AAAAAA` }],
    );
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/signin');
    const notice = page.locator('.notice');
    await notice.waitFor();
    assert.match(await notice.textContent(), /sign in again/i);
    assert.equal(await session(page), null);
    await screen(page, 'signin-session-over');

    await page.getByLabel('Email').fill(alice.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await row(page, 'Water the plants').waitFor();
    // A token that is not even JSON is dropped quietly.
    await page.evaluate((key) => localStorage.setItem(key, '{not json'), SESSION_KEY);
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Email').fill(alice.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await row(page, 'Water the plants').waitFor();
  });

  it("a server that went away is shown as \"Can't reach the server\"", async () => {
    const signin = await newPage('desktop');
    await signin.goto(`${stack.url}/signin`);
    await signin.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signin.getByLabel('Email').fill(alice.email);
    await signin.getByLabel('Password').fill(PASSWORD);

    await stack.killServer();

    await page.locator('#quick-add').fill('Never saved');
    await page.locator('#quick-add').press('Enter');
    const banner = page.locator('.offline-banner');
    await banner.waitFor();
    assert.match(await banner.textContent(), /Can't reach the server\./);
    assert.equal(await page.locator('#quick-add').inputValue(), 'Never saved', 'the text stays to try again');
    assert.equal(await banner.getAttribute('role'), 'alert');

    const chat = page.locator('#chat-panel');
    await chat.getByLabel('Message the assistant').fill('add call the plumber');
    await chat.getByLabel('Message the assistant').press('Enter');
    await chat.locator('.message.error', { hasText: "couldn't reach the server" }).waitFor();
    await screen(page, 'server-down');

    await signin.getByRole('button', { name: 'Sign in' }).click();
    await signin.getByRole('alert').getByText(/Can't reach the server/).first().waitFor();
    await screen(signin, 'signin-server-down', ['desktop']);
    await signin.context().close();
  });

  it('axe-core finds no violation of any impact, and no page error happened', () => {
    console.log(
      `# axe-core: ${checked.runs} runs over ${checked.screens.size} screens (light and dark), ` +
        `${axeFailures.length} violations`,
    );
    assert.deepEqual(pageProblems, [], pageProblems.join('\n'));
    assert.equal(axeFailures.length, 0, `axe-core found:\n${axeFailures.join('\n')}`);
  });
});
