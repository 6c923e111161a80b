// The load generator's workload against y-websocket, for the side-by-side figures in
// BENCHMARKS.md: rooms of four clients (one room name per room), each inserting `rate` small
// edits a second for `seconds` into a shared Y.Array, as tools/loadgen does against the relay.
//
// Built to measure the server, not the client, the way tools/loadgen is:
// - Each client speaks y-websocket's protocol itself over `ws`: it joins with sync step 1,
//   answers the server's step 1, and sends every local `Y.Doc` update as the provider would
//   (`[messageSync, messageYjsUpdate, update]`). What it receives it does not apply to a document
//   (the relay's load generator does not merge Automerge changes either): a broadcast update is
//   only searched for the send time and sender the edit carries. No awareness messages are sent.
// - The clients are spread, whole rooms at a time, over worker threads (`workers`, default one a
//   core, as tools/loadgen's runtime has), so the generator is not one event loop that falls
//   behind. Latency is measured inside a worker, between clients of the same room, on that
//   worker's clock.
// - Room names carry the process id, so runs one after another against one server (kept running,
//   its JIT warm, as a server in service is) never share a room.
// Prints the same figures as tools/loadgen. scripts/bench-relay.sh copies this file next to the
// npm packages it installs and runs it as
// `node yjs-loadgen.cjs <url> <clients> <rate> <seconds> <server pid> [workers]`.
'use strict';
const fs = require('fs');
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');

const ROOM_SIZE = 4;
const DRAIN_MS = 5000;

if (isMainThread) {
  main();
} else {
  worker(workerData);
}

function rssKiB(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
  } catch {
    return NaN;
  }
}

/** Milliseconds on a clock every thread of the process reads alike. */
function wallMs() {
  return performance.timeOrigin + performance.now();
}

async function main() {
  const [url, clientsArg, rateArg, secondsArg, pidArg, workersArg] = process.argv.slice(2);
  const rooms = Math.ceil(Number(clientsArg) / ROOM_SIZE);
  const clients = rooms * ROOM_SIZE;
  const rate = Number(rateArg || 10);
  const seconds = Number(secondsArg || 10);
  const workerCount = Math.max(1, Math.min(rooms, Number(workersArg || require('os').cpus().length)));

  const joinStart = wallMs();
  const workers = [];
  for (let w = 0; w < workerCount; w++) {
    const roomIds = [];
    for (let r = w; r < rooms; r += workerCount) roomIds.push(r);
    const worker = new Worker(__filename, { workerData: { url, runId: `run${process.pid}`, roomIds, rate, seconds } });
    const messages = [];
    const waiting = [];
    worker.on('message', (m) => (waiting.length ? waiting.shift()(m) : messages.push(m)));
    worker.on('error', (e) => {
      console.error(`a load generator thread failed: ${e.message}`);
      process.exit(1);
    });
    const next = () => (messages.length ? Promise.resolve(messages.shift()) : new Promise((r) => waiting.push(r)));
    workers.push({ worker, next });
  }
  for (const w of workers) await w.next(); // each says when all its clients have joined
  const idle = rssKiB(pidArg);
  console.log(`${clients} clients in ${rooms} rooms joined in ${((wallMs() - joinStart) / 1000).toFixed(1)} s`);

  const start = wallMs() + 200;
  for (const w of workers) w.worker.postMessage({ start });
  const results = [];
  for (const w of workers) results.push(await w.next());
  const end = rssKiB(pidArg);

  let sent = 0;
  let lastDelivery = 0;
  let count = 0;
  for (const r of results) {
    sent += r.sent;
    lastDelivery = Math.max(lastDelivery, r.lastDelivery);
    count += r.latencies.length;
  }
  const latencies = new Float64Array(count);
  let at = 0;
  for (const r of results) {
    latencies.set(r.latencies, at);
    at += r.latencies.length;
  }
  latencies.sort();
  const pct = (p) => (latencies.length ? latencies[Math.round((latencies.length - 1) * p)] : NaN);
  const spanS = (Math.max(lastDelivery, start + seconds * 1000) - start) / 1000;
  const expected = sent * (ROOM_SIZE - 1);
  console.log(`clients ${clients}, ${rate} edits/s each for ${seconds} s, 64 payload bytes each, ${workerCount} threads`);
  console.log(
    `deliveries ${latencies.length} in ${spanS.toFixed(1)} s = ${(latencies.length / spanS).toFixed(0)}/s ` +
      `(${((100 * latencies.length) / Math.max(1, expected)).toFixed(0)}% of the ${expected} expected)`,
  );
  console.log(`latency p50 ${pct(0.5).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms, max ${pct(1).toFixed(1)} ms`);
  console.log(`edits sent ${sent} of ${clients * Math.round(rate * seconds)} (y-websocket acknowledges nothing and stores nothing on disk)`);
  if (!Number.isNaN(idle)) {
    console.log(
      `server RSS after joining ${(idle / 1024).toFixed(1)} MiB (${(idle / clients).toFixed(1)} KiB per client), ` +
        `at the end ${(end / 1024).toFixed(1)} MiB`,
    );
  }
  process.exit(0);
}

/** One thread's clients: whole rooms, so a room's latencies are read on one clock. */
async function worker({ url, runId, roomIds, rate, seconds }) {
  const Y = require('yjs');
  const WebSocket = require('ws');
  const encoding = require('lib0/encoding');
  const decoding = require('lib0/decoding');
  const syncProtocol = require('y-protocols/sync');

  const MESSAGE_SYNC = 0;
  const SYNC_STEP_1 = 0;
  const SYNC_STEP_2 = 1;
  const SYNC_UPDATE = 2;
  const MARK = Buffer.from('@@t');

  const latencies = [];
  let lastDelivery = 0;
  let sent = 0;

  function connect(id, room) {
    return new Promise((resolve, reject) => {
      const doc = new Y.Doc();
      const ws = new WebSocket(`${url}/${runId}-room-${room}`);
      ws.binaryType = 'nodebuffer';
      const member = { id, doc, ws, edits: doc.getArray('edits') };
      doc.on('update', (update, origin) => {
        if (origin === 'remote' || ws.readyState !== WebSocket.OPEN) return;
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, MESSAGE_SYNC);
        syncProtocol.writeUpdate(encoder, update);
        ws.send(encoding.toUint8Array(encoder));
      });
      ws.on('open', () => {
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, MESSAGE_SYNC);
        syncProtocol.writeSyncStep1(encoder, doc);
        ws.send(encoding.toUint8Array(encoder));
      });
      ws.on('error', reject);
      ws.on('message', (data) => {
        if (data[0] !== MESSAGE_SYNC) return; // awareness
        if (data[1] === SYNC_UPDATE) {
          // A broadcast edit: read its send time and sender, without applying it.
          const t = performance.now();
          let i = data.indexOf(MARK);
          while (i >= 0) {
            const end = data.indexOf(0x40, i + 3); // the '@' after the fields
            const [from, at] = data.toString('latin1', i + 3, end).split(':');
            if (Number(from) !== id) {
              latencies.push(t - Number(at));
              lastDelivery = t;
            }
            i = data.indexOf(MARK, end);
          }
        } else if (data[1] === SYNC_STEP_1) {
          // The server asks what this client has: answer as the provider does.
          const decoder = decoding.createDecoder(data);
          decoding.readVarUint(decoder);
          const encoder = encoding.createEncoder();
          encoding.writeVarUint(encoder, MESSAGE_SYNC);
          syncProtocol.readSyncMessage(decoder, encoder, doc, 'remote');
          ws.send(encoding.toUint8Array(encoder));
        } else if (data[1] === SYNC_STEP_2) {
          resolve(member); // the room's state has arrived: joined
        }
      });
    });
  }

  // Handshakes a few at a time, as tools/loadgen limits its connecting.
  const members = [];
  const pending = [];
  for (const room of roomIds) for (let k = 0; k < ROOM_SIZE; k++) pending.push([room * ROOM_SIZE + k, room]);
  const lanes = Array.from({ length: 32 }, async () => {
    while (pending.length) {
      const [id, room] = pending.shift();
      members.push(await connect(id, room));
    }
  });
  await Promise.all(lanes);
  parentPort.postMessage({ joined: members.length });
  const { start: startWall } = await new Promise((r) => parentPort.once('message', r));
  const start = startWall - performance.timeOrigin;

  const every = 1000 / rate;
  const perClient = Math.round(rate * seconds);
  for (const m of members) {
    let n = 0;
    const first = start + ((m.id * 7919) % every);
    const tick = () => {
      const at = performance.now();
      const head = `@@t${m.id}:${at.toFixed(3)}@`;
      m.edits.push([head + 'x'.repeat(Math.max(0, 64 - head.length))]);
      sent++;
      n++;
      if (n < perClient) setTimeout(tick, Math.max(0, first + n * every - performance.now()));
    };
    setTimeout(tick, Math.max(0, first - performance.now()));
  }
  await new Promise((r) => setTimeout(r, Math.max(0, start - performance.now()) + seconds * 1000 + DRAIN_MS));
  for (const m of members) m.ws.terminate();
  parentPort.postMessage({
    sent,
    lastDelivery: lastDelivery ? lastDelivery + performance.timeOrigin : 0,
    latencies: Float64Array.from(latencies),
  });
}
