// Size and speed of the web UI, printed (never asserted; lighthouse.test.mjs
// holds the accessibility, best-practice and size bars): see lighthouse.mjs.
//
//   TODO_BIN=target/release/todo WEB_DIST=web/dist node report.mjs [--size-only]
// LIGHTHOUSE_JSON=<folder> also writes each full report there.

import { sizes, lighthouseRuns } from './lighthouse.mjs';

sizes();
if (!process.argv.includes('--size-only')) {
  await lighthouseRuns();
}
