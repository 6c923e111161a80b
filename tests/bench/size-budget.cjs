// The most the shipped app (wasm + js + css, measured by app-size.cjs) may weigh: the test suite
// fails when a build grows past it (e2e/size-budget.spec.ts). The figures are the size reached
// on the date below plus a small margin, not issue 11's target (450 KiB gzip / 380 KiB brotli).
//
// To raise it, do so on purpose, in the same commit as the change that needs the bytes: run
// `node tests/bench/size.mjs` after `scripts/build.sh`, put the new total plus about 4 KiB here,
// and say in BENCHMARKS.md ("Size of the shipped app") what the bytes buy. When a change makes
// the app smaller, lower the budget with it, so the room cannot be spent unnoticed.
//
// Set on 2026-12-01: reached 1250.4 KiB gzip / 908.5 KiB brotli. Raised the same day for
// issue 11's fine-grained updates, which ask Automerge what each change touched (its patch log
// and diff, linked for the first time): reached 1281.2 KiB gzip / 929.4 KiB brotli. Raised
// again the same day for the pipeline's feedback counts read in one pass (the large vacancy's
// candidates never painted without it): reached 1290.2 KiB gzip / 935.5 KiB brotli. Raised
// again for issue 11's send before the local write (the seal and send now inlined into the
// keystroke's handler, and the wait of acks for writes): reached 1291.9 KiB gzip / 936.0 KiB
// brotli.
// Raised again for the candidates board and the candidate page following the document finely
// (keyed columns and cards, a memo a card, the interviews' and feedback's candidate looked up
// per change): reached 1299.4 KiB gzip / 940.5 KiB brotli.
const sizeBudget = {
  gzip: 1301 * 1024,
  brotli: 942 * 1024,
};

module.exports = { sizeBudget };
