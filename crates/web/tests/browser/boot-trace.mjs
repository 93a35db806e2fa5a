// The web UI's start-up, traced (printed, never asserted): a cold load of
// the task page of a signed-in user with a few tasks, in Debian Chromium with
// the CPU slowed 4× (as Lighthouse's mobile run assumes), repeated RUNS
// times (default 3). For each: the main thread's tasks over 50 ms, the time
// spent compiling wasm lazily, and when the largest paint happened. Where
// Lighthouse only scores, this shows what start-up is made of.
//
//   TODO_BIN=target/debug/todo WEB_DIST=web/dist node boot-trace.mjs

import { startStack, seedUser, api, launchBrowser, SESSION_KEY } from './harness.mjs';

const runs = Number(process.env.RUNS || 3);
const stack = await startStack();
const browser = await launchBrowser();
try {
  const session = await seedUser(stack, { email: 'trace@example.com', name: 'Trace' });
  for (const title of ['Call mom', 'Pay rent', 'Buy milk', 'Water the plants']) {
    await api(stack, 'POST', '/api/tasks', { title, tags: ['home'] }, session.token);
  }
  for (let run = 1; run <= runs; run += 1) {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${stack.url}/readyz`);
    await page.evaluate(([key, value]) => localStorage.setItem(key, value), [SESSION_KEY, JSON.stringify(session)]);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.wasm', 'loading', 'blink.user_timing'] });
    await page.goto(stack.url);
    await page.locator('.task-row').first().waitFor();
    await page.waitForTimeout(1000);
    const events = JSON.parse(await browser.stopTracing()).traceEvents;
    await context.close();

    const main = events.find((e) => e.name === 'wasm.CompileLazy')?.tid;
    const long = events.filter((e) => e.name === 'RunTask' && e.tid === main && e.dur > 50_000).map((e) => Math.round(e.dur / 1000));
    const lazy = events.filter((e) => e.name === 'wasm.CompileLazy').reduce((sum, e) => sum + (e.dur || 0), 0);
    const start = events.find((e) => e.name === 'navigationStart')?.ts;
    const paints = events.filter((e) => e.name === 'largestContentfulPaint::Candidate').map((e) => e.ts);
    const lcp = paints.length && start ? `${Math.round((paints[paints.length - 1] - start) / 1000)} ms` : '—';
    console.log(
      `run ${run}: tasks over 50 ms: ${long.join(', ') || 'none'} (ms); wasm compiled lazily: ${Math.round(lazy / 1000)} ms; largest paint at ${lcp}`,
    );
  }
} finally {
  await browser.close();
  await stack.stop();
}
