// Writes the service worker (sw.js) into the built app from app/sw.template.js: the list of the
// app shell's files as this build named them (Trunk puts content hashes in the wasm, js and css
// names) and a version that is a hash over those files, so each build gets a cache of its own and
// a byte-different sw.js that the browser installs as an update.
//   node scripts/write-sw.mjs app/dist
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const dist = process.argv[2] ?? 'app/dist';
const template = new URL('../app/sw.template.js', import.meta.url);

/** Whether a file (path relative to dist, with `/`) is part of the shell the app needs to start. */
function inShell(path) {
  if (path === 'sw.js' || /\.(br|gz)$/.test(path)) return false;
  return (
    /^[^/]+\.(html|js|wasm|css)$/.test(path) ||
    path === 'manifest.webmanifest' ||
    path === 'favicon.svg' ||
    /^icons\/[^/]+\.png$/.test(path)
  );
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

const files = walk(dist)
  .map((full) => relative(dist, full).split(sep).join('/'))
  .filter(inShell)
  .sort();
for (const needed of ['index.html', 'manifest.webmanifest']) {
  if (!files.includes(needed)) throw new Error(`${dist}/${needed} is missing: not a built app`);
}
if (!files.some((f) => f.endsWith('.wasm'))) throw new Error(`${dist} has no wasm: not a built app`);

const hash = createHash('sha256');
for (const file of files) {
  hash.update(file).update('\0').update(readFileSync(join(dist, file))).update('\0');
}
const version = hash.digest('hex').slice(0, 16);
const shell = files.map((f) => `/${f}`);

const source = readFileSync(template, 'utf8');
for (const marker of ['__TANDEM_BUILD_VERSION__', '__TANDEM_SHELL_FILES__']) {
  if (source.split(marker).length !== 2) throw new Error(`the template must hold ${marker} once`);
}
const sw = source
  .replace("'__TANDEM_BUILD_VERSION__'", JSON.stringify(version))
  .replace('__TANDEM_SHELL_FILES__', JSON.stringify(shell, null, 2));
writeFileSync(join(dist, 'sw.js'), sw);
console.log(`sw.js: build ${version}, ${shell.length} files in the shell`);
