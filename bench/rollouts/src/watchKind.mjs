// Every log line of the module's watch goes to stderr, as the benchmark's own do.
const logger = {
  info: m => console.error(m),
  warn: m => console.error(m),
  error: m => console.error(m),
  debug: () => {},
  child: () => logger,
};

/**
 * A watch on one resource kind of the apiserver, opened by the benchmark
 * itself (not the backend) through the Kubernetes module's client, so
 * "changed in the apiserver" is seen the way any other client of the cluster
 * would see it. waitFor(name, predicate) resolves with the time
 * (performance.now()) of the first change after the call after which the
 * object satisfies the predicate.
 */
export async function watchKind(kube, resource) {
  const waiters = new Set();
  const watch = kube.watch(resource, {
    retry: {
      initialBackoffMs: 200,
      maxBackoffMs: 2000,
      notInstalledRecheckMs: 60_000,
    },
    logger,
    logPrefix: 'bench watch',
    onChange: () => {
      if (waiters.size === 0) return;
      const at = performance.now();
      const byName = new Map(watch.objects().map(o => [o.metadata?.name, o]));
      for (const w of waiters) {
        const object = byName.get(w.name);
        if (object && w.predicate(object)) {
          waiters.delete(w);
          w.resolve(at);
        }
      }
    },
  });
  await watch.start();

  return {
    waitFor(name, predicate, timeoutMs = 600_000) {
      return new Promise((resolve, reject) => {
        const w = { name, predicate, resolve };
        waiters.add(w);
        setTimeout(() => {
          if (waiters.delete(w)) {
            reject(
              new Error(`watch: ${name} did not change within ${timeoutMs} ms`),
            );
          }
        }, timeoutMs).unref();
      });
    },
    close: () => watch.stop(),
  };
}
