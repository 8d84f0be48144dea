// The JavaScript shipped to the chair-side session screen, gzip-compressed: the app's entry chunk
// plus the session screen's chunk and every chunk it imports statically (what the browser loads
// to show /chair/session). The budget is 150 KB gzip. Run after `npm run build`.
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const assets = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'assets');
const files = readdirSync(assets);
const find = (prefix) => files.find((f) => f.startsWith(prefix) && f.endsWith('.js'));
const seen = new Set();
function walk(file) {
  if (!file || seen.has(file)) return;
  seen.add(file);
  const code = readFileSync(join(assets, file), 'utf8');
  // Static imports only (dynamic import() chunks load later, on demand).
  for (const m of code.matchAll(/(?:^|[;}\s])import\s*(?:[^'"()]*?from\s*)?["']\.\/([^"']+\.js)["']/g)) walk(m[1]);
}
walk(find('index-'));
walk(find('SessionScreen-'));
let total = 0;
for (const f of [...seen].sort()) {
  const gz = gzipSync(readFileSync(join(assets, f)), { level: 9 }).length;
  total += gz;
  console.log(`${(gz / 1024).toFixed(1).padStart(6)} KB  ${f}`);
}
const css = files.filter((f) => f.endsWith('.css')).reduce((n, f) => n + gzipSync(readFileSync(join(assets, f)), { level: 9 }).length, 0);
console.log(`${(total / 1024).toFixed(1).padStart(6)} KB  JavaScript for /chair/session, gzip (budget 150 KB)`);
console.log(`${(css / 1024).toFixed(1).padStart(6)} KB  all CSS, gzip`);
if (total > 150 * 1024) process.exit(1);
