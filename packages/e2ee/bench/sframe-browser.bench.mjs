/**
 * SFrame per-frame cost inside a Chromium Worker (where the media transform
 * runs), with Debian's Chromium driven by playwright-core. Serves this
 * package's built files on loopback, opens worker-bench.html, prints lines.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const types = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript' };
const server = http.createServer((req, res) => {
  const file = path.join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname));
  if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
    res.statusCode = 404;
    return res.end();
  }
  res.setHeader('Content-Type', types[path.extname(file)] ?? 'application/octet-stream');
  if (!/\.m?js$/.test(file)) return createReadStream(file).pipe(res);
  // No bundler here: point bare imports (@noble/hashes/…) at this package's node_modules.
  const source = readFileSync(file, 'utf8').replace(/(\bfrom\s*|\bimport\s*)(['"])(?![./])([^'"]+)\2/g, '$1$2/node_modules/$3$2');
  res.end(source);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const page = await browser.newPage();
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  await page.goto(`http://localhost:${server.address().port}/bench/worker-bench.html${only ? `?only=${encodeURIComponent(only)}` : ''}`);
  console.log(`SFrame benchmark — Chromium ${browser.version()} Worker`);
  const lines = await page.evaluate(() => window.benchDone);
  for (const line of lines) console.log(line);
} finally {
  await browser.close();
  server.close();
}
