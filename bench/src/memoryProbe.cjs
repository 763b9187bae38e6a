// Preloaded into the backend under test: on SIGUSR2 it writes the process's
// memory use (heap included, which /proc does not show) to BENCH_MEMORY_FILE.
const fs = require('node:fs');

process.on('SIGUSR2', () => {
  // Started with --expose-gc: a full collection first, so the heap is live data only.
  global.gc?.();
  fs.writeFileSync(
    process.env.BENCH_MEMORY_FILE,
    JSON.stringify({ at: Date.now(), ...process.memoryUsage() }),
  );
});
