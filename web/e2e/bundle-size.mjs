// The JavaScript each screen ships, gzip-compressed (level 9), from Vite's manifest: the entry
// (shell, public page, sign-in) and, for each screen loaded on demand, the entry plus the screen's
// chunks. Prints a table; exits 1 if any screen ships more than the budget (150 KB gzip, issue 11).
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'));
const BUDGET = 150 * 1024;
const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;

function closure(key, seen = new Set()) {
  const chunk = manifest[key];
  if (!chunk || seen.has(chunk.file)) return seen;
  seen.add(chunk.file);
  for (const imp of chunk.imports ?? []) closure(imp, seen);
  return seen;
}
const bytes = (files) => [...files].filter((f) => f.endsWith('.js')).reduce((n, f) => n + gz(f), 0);

const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
const entry = closure(entryKey);
const rows = [['public page, sign-in and shell (entry)', bytes(entry)]];
for (const key of manifest[entryKey].dynamicImports ?? []) {
  const files = closure(key, new Set(entry));
  rows.push([`${key.replace(/^src\/screens\//, '').replace(/\.tsx$/, '')}`, bytes(files)]);
}
let over = false;
console.log('JavaScript shipped per screen (gzip -9):');
for (const [name, n] of rows) {
  const kb = (n / 1024).toFixed(1);
  if (n > BUDGET) over = true;
  console.log(`  ${kb.padStart(7)} KB  ${name}${n > BUDGET ? '  OVER the 150 KB budget' : ''}`);
}
const css = [...new Set(Object.values(manifest).flatMap((c) => c.css ?? []))];
console.log(`  CSS: ${(css.reduce((n, f) => n + gz(f), 0) / 1024).toFixed(1)} KB gzip in all (${css.length} files)`);
process.exit(over ? 1 : 0);
