// After `vite build`: writes a gzip copy ("name.gz", level 9) beside each text file of web/dist
// (scripts, styles, HTML, SVG, JSON) when it is smaller. `kit serve` sends it, with
// Content-Encoding: gzip, to clients that accept gzip (server/web/static_files.cpp); others get
// the plain file. Old .gz files are removed first, so a copy never outlives its original.
import { readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const TEXT = /\.(js|mjs|css|html|svg|json|map|txt|webmanifest)$/;

function files(dir) {
  return readdirSync(dir).filter((name) => !name.startsWith('.')).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

let raw = 0;
let packed = 0;
for (const f of files(dist)) if (f.endsWith('.gz')) unlinkSync(f);
for (const f of files(dist)) {
  if (!TEXT.test(f)) continue;
  const body = readFileSync(f);
  const gz = gzipSync(body, { level: constants.Z_BEST_COMPRESSION });
  if (gz.length >= body.length) continue;
  writeFileSync(f + '.gz', gz);
  raw += body.length;
  packed += gz.length;
}
console.log(`precompressed: ${(raw / 1024).toFixed(1)} KB -> ${(packed / 1024).toFixed(1)} KB gzip`);
