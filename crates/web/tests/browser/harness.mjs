// What the browser tests and the report stand on: the real `todo` server on
// a free port (fresh SQLite file, or the Postgres database in DATABASE_URL),
// optionally Debian nginx in front of it with the project's own config,
// Debian Chromium through playwright-core, axe-core, and screenshots.
//
// Environment:
//   TODO_BIN        the `todo` binary (required)
//   WEB_DIST        the built web UI (default: <repo>/web/dist)
//   DATABASE_URL    a Postgres URL to use instead of a fresh SQLite file
//   TODO_NGINX_CONF the nginx config template (infra/nginx/nginx.conf.template):
//                   put Debian nginx in front of the server with that file,
//                   rendered by the render.sh beside it, on a free port
//   NGINX_BIN       nginx (default /usr/sbin/nginx)
//   CHROMIUM        the browser (default /usr/bin/chromium)
//   SCREENSHOTS     where screenshots go (default <repo>/screenshots); "0": none

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, mkdirSync, readFileSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, '../../../..');
const require = createRequire(import.meta.url);

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
};

export const JWT_SECRET = 'browser-tests-secret-that-is-long-enough-for-hs256';

/** A port nobody listens on right now. */
export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `url` until it answers 200, or fails after `ms` with `describe()`. */
async function waitFor200(url, ms, describe) {
  const deadline = Date.now() + ms;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const answer = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (answer.ok) return;
      last = `HTTP ${answer.status}`;
    } catch (e) {
      last = e.cause?.code || e.message;
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer 200 within ${ms} ms (last: ${last})\n${describe()}`);
}

/**
 * A child process whose output goes to `log` (a real file, not a pipe: nginx
 * opens /dev/stdout, which fails on the socket Node gives as a pipe), kept
 * for failure reports.
 */
function run(command, args, log, options) {
  const fd = openSync(log, 'a');
  const child = spawn(command, args, { stdio: ['ignore', fd, fd], ...options });
  closeSync(fd);
  const exited = new Promise((ok) => {
    child.on('exit', (code, signal) => ok({ code, signal }));
    child.on('error', (error) => ok({ error }));
  });
  const output = () => {
    try {
      const text = readFileSync(log, 'utf8');
      return text.length > 100_000 ? text.slice(-100_000) : text;
    } catch {
      return '';
    }
  };
  return { child, exited, output };
}

function alive(process) {
  return process && process.child.exitCode === null && process.child.signalCode === null;
}

/**
 * Starts the stack: the server, and nginx in front when asked. `url` is what
 * the browser opens; `api` is the server itself.
 */
export async function startStack() {
  const bin = process.env.TODO_BIN;
  if (!bin || !existsSync(bin)) throw new Error(`TODO_BIN must name the todo binary (got ${bin})`);
  const dist = resolve(process.env.WEB_DIST || join(repo, 'web/dist'));
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error(`${dist}/index.html is missing: run \`cargo xtask web\``);
  }
  const dir = mkdtempSync(join(tmpdir(), 'todo-browser-'));
  const port = await freePort();
  const databaseUrl = process.env.DATABASE_URL || `sqlite://${join(dir, 'todo.db')}`;
  const api = `http://127.0.0.1:${port}`;
  let server = null;
  let nginx = null;
  let url = api;
  try {
    server = run(bin, ['serve'], join(dir, 'server.log'), {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        DATA_DIR: join(dir, 'data'),
        STATIC_DIR: dist,
        JWT_SECRET,
        LOG_FORMAT: 'json',
        RUST_LOG: process.env.RUST_LOG || 'warn',
      },
    });
    await waitFor200(`${api}/readyz`, 60_000, () => `server output:\n${server.output()}`);

    const template = process.env.TODO_NGINX_CONF;
    if (template) {
      const nginxPort = await freePort();
      const runDir = join(dir, 'nginx');
      mkdirSync(runDir, { recursive: true });
      const conf = execFileSync(
        'sh',
        [join(dirname(resolve(template)), 'render.sh'), api, dist, runDir, String(nginxPort)],
        { encoding: 'utf8', env: { ...process.env, NGINX_TEMPLATE: resolve(template) } },
      ).trim();
      const nginxBin = process.env.NGINX_BIN || '/usr/sbin/nginx';
      nginx = run(nginxBin, ['-e', 'stderr', '-c', conf, '-g', 'daemon off;'], join(dir, 'nginx.log'));
      url = `http://127.0.0.1:${nginxPort}`;
      await waitFor200(`${url}/nginx-healthz`, 20_000, () => `nginx output:\n${nginx.output()}`);
      await waitFor200(`${url}/readyz`, 20_000, () => `nginx output:\n${nginx.output()}`);
    }
  } catch (e) {
    // Nothing may outlive a failed start (it would keep the test run alive).
    for (const p of [nginx, server]) if (alive(p)) p.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  const stack = {
    url,
    api,
    databaseUrl,
    behindNginx: nginx !== null,
    serverOutput: server.output,
    nginxOutput: () => (nginx ? nginx.output() : ''),
    /** Kills the server at once (SIGKILL): the "server down" state. */
    async killServer() {
      if (alive(server)) server.child.kill('SIGKILL');
      await server.exited;
    },
    async stop() {
      await stack.killServer();
      if (alive(nginx)) {
        nginx.child.kill('SIGQUIT');
        await Promise.race([nginx.exited, sleep(5000)]);
        if (alive(nginx)) nginx.child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Calls the API directly (seeding, checks), as `token`'s owner. */
export async function api(stack, method, path, body, token) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const answer = await fetch(`${stack.api}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await answer.text();
  return { status: answer.status, body: text ? JSON.parse(text) : null };
}

/** Signs a user up through the API: `{token, user}`, ready for localStorage. */
export async function seedUser(stack, { email, password = 'correct horse battery', name = 'Seed', timezone = 'UTC' }) {
  const answer = await api(stack, 'POST', '/api/auth/signup', { email, password, name, timezone });
  if (answer.status !== 201) throw new Error(`signup ${email}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export const SESSION_KEY = 'todo-chatbot.session';

export async function launchBrowser(extraArgs = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core on the page and returns its violations, of every impact
 * (empty: none).
 */
export async function axeViolations(page) {
  const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
  // Evaluated through the DevTools protocol, not a <script> tag: the nginx
  // config's Content-Security-Policy refuses inline scripts, as it should.
  if (!loaded) await page.evaluate(axeSource);
  const results = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      resultTypes: ['violations'],
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1, 3).join(' ')}`),
    }));
  });
  return results;
}

export function screenshotDir() {
  if (process.env.SCREENSHOTS === '0') return null;
  const dir = resolve(process.env.SCREENSHOTS || join(repo, 'screenshots'));
  mkdirSync(dir, { recursive: true });
  return dir;
}
