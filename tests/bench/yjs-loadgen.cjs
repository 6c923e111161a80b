// The load generator's workload against y-websocket, for the side-by-side figures in
// BENCHMARKS.md: rooms of four clients (one Y.Doc and WebsocketProvider each, one room name per
// room), each inserting `rate` small edits a second for `seconds` into a shared Y.Array. An
// edit carries its send time and sender; the others observe it arrive and time it on the same
// clock (all clients live in this process). Prints the same figures as tools/loadgen.
// scripts/bench-relay.sh copies this file next to the npm packages it installs and runs it as
// `node yjs-loadgen.cjs <url> <clients> <rate> <seconds> <server pid>`.
'use strict';
const fs = require('fs');
const Y = require('yjs');
const { WebsocketProvider } = require('y-websocket');
const WebSocket = require('ws');

const [url, clientsArg, rateArg, secondsArg, pidArg] = process.argv.slice(2);
const rooms = Math.ceil(Number(clientsArg) / 4);
const clients = rooms * 4;
const rate = Number(rateArg || 10);
const seconds = Number(secondsArg || 10);
const drainMs = 5000;
const now = () => performance.now();

function rssKiB(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
  } catch {
    return NaN;
  }
}

const latencies = [];
let lastDelivery = 0;
let sent = 0;
const members = [];
for (let i = 0; i < clients; i++) {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(url, `room-${Math.floor(i / 4)}`, doc, {
    WebSocketPolyfill: WebSocket,
    disableBc: true,
  });
  const edits = doc.getArray('edits');
  edits.observe((event) => {
    if (event.transaction.local) return;
    const t = now();
    for (const item of event.changes.delta) {
      for (const edit of item.insert || []) {
        latencies.push(t - edit.at);
        lastDelivery = t;
      }
    }
  });
  members.push({ doc, provider, edits, id: i });
}

function synced() {
  return members.every((m) => m.provider.synced);
}

(async () => {
  const joinStart = now();
  while (!synced()) await new Promise((r) => setTimeout(r, 20));
  const idle = rssKiB(pidArg);
  console.log(`${clients} clients in ${rooms} rooms joined in ${((now() - joinStart) / 1000).toFixed(1)} s`);
  const start = now() + 200;
  const every = 1000 / rate;
  const perClient = Math.round(rate * seconds);
  const payload = 'x'.repeat(64);
  for (const m of members) {
    let n = 0;
    const first = start + ((m.id * 7919) % every);
    const tick = () => {
      m.edits.push([{ at: now(), from: m.id, payload }]);
      sent++;
      n++;
      if (n < perClient) setTimeout(tick, Math.max(0, first + n * every - now()));
    };
    setTimeout(tick, Math.max(0, first - now()));
  }
  await new Promise((r) => setTimeout(r, seconds * 1000 + 200 + drainMs));
  const end = rssKiB(pidArg);
  latencies.sort((a, b) => a - b);
  const pct = (p) => (latencies.length ? latencies[Math.round((latencies.length - 1) * p)] : NaN);
  const spanS = (Math.max(lastDelivery, start + seconds * 1000) - start) / 1000;
  const expected = sent * 3;
  console.log(`clients ${clients}, ${rate} edits/s each for ${seconds} s, 64 payload bytes each`);
  console.log(
    `deliveries ${latencies.length} in ${spanS.toFixed(1)} s = ${(latencies.length / spanS).toFixed(0)}/s ` +
      `(${((100 * latencies.length) / Math.max(1, expected)).toFixed(0)}% of the ${expected} expected)`
  );
  console.log(`latency p50 ${pct(0.5).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms, max ${pct(1).toFixed(1)} ms`);
  console.log(`edits sent ${sent} (y-websocket acknowledges nothing and stores nothing on disk)`);
  if (!Number.isNaN(idle)) {
    console.log(
      `server RSS after joining ${(idle / 1024).toFixed(1)} MiB (${(idle / clients).toFixed(1)} KiB per client), ` +
        `at the end ${(end / 1024).toFixed(1)} MiB`
    );
  }
  for (const m of members) m.provider.destroy();
  process.exit(0);
})();
