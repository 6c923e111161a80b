// Tandem's service worker: the app shell of one build, kept so the app starts with the network off.
//
// This is a template: scripts/write-sw.mjs writes dist/sw.js from it after each release build,
// with the build's version (a hash over the shell's files) and the shell's file list in place of
// the two markers below. A different build therefore gives a different sw.js, which is how the
// browser notices a new build.
//
// - The shell is cached under a name of its own per build, so an index.html taken from the cache
//   always names wasm, js and css that are in the same cache; older builds' caches are deleted
//   once this worker takes over.
// - A new worker waits (no skipWaiting on install) while a page of the old build is open; the page
//   offers to reload and then sends 'skip-waiting'. The first worker has nothing to wait for and
//   takes over the open page at once (clients.claim), so that page already works offline.
// - Opening a page (a navigation: `/`, any `/v/...` route) asks the network first, since the relay
//   answers every route with the current index.html, and falls back to the cached index.html.
// - Only the shell is answered from the cache. Everything else, above all the WebSocket to /sync
//   and the attachments under /blobs/, is left to the network: the vacancies and their voice
//   memos live in IndexedDB, not here. /blobs/ is never even looked at: its requests carry the
//   vacancy's access token, and a sealed memo kept here would outlive the vacancy's removal.

const VERSION = '__TANDEM_BUILD_VERSION__';
const SHELL = __TANDEM_SHELL_FILES__;
const CACHE = `tandem-shell-${VERSION}`;
const CACHE_PREFIX = 'tandem-shell-';
const INDEX = '/index.html';
// A navigation that gets no answer in this time is served from the cache: on a poor connection,
// the app starts rather than waits.
const NAVIGATION_TIMEOUT_MS = 4000;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      // 'no-cache' revalidates with the relay, so the files cached are this build's, not whatever
      // the HTTP cache held for the unhashed names (index.html, the manifest, the icons).
      .then((cache) => cache.addAll(SHELL.map((path) => new Request(path, { cache: 'no-cache' })))),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') {
    self.skipWaiting();
  }
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname === '/sync' || url.pathname.startsWith('/blobs/')) {
    return;
  }
  if (request.mode === 'navigate') {
    event.respondWith(networkFirst(request));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(cacheFirst(request, url.pathname));
  }
});

async function networkFirst(request) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(null), NAVIGATION_TIMEOUT_MS);
  });
  // No network (a rejected fetch) counts as no answer.
  const response = await Promise.race([fetch(request).catch(() => null), timeout]);
  clearTimeout(timer);
  // A relay that is down behind a proxy answers 502 or 503: the cached app does better.
  if (response && response.status < 500) {
    return response;
  }
  const cached = await caches.match(INDEX, { cacheName: CACHE });
  return cached ?? Response.error();
}

async function cacheFirst(request, path) {
  const cached = await caches.match(path, { cacheName: CACHE });
  return cached ?? fetch(request);
}
