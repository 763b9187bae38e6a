/**
 * Collects the refreshes asked for by webhook events: the first event of a
 * registry starts a short wait, events arriving during it join, then one
 * read runs. MLflow sends one delivery per change, so a script that sets 50
 * tags costs one or two reads instead of 50.
 */
export function batchRefreshes(
  refresh: (registryId: string) => void,
  delayMs: number,
): (registryId: string) => void {
  const pending = new Set<string>();
  return registryId => {
    if (pending.has(registryId)) return;
    pending.add(registryId);
    setTimeout(() => {
      pending.delete(registryId);
      refresh(registryId);
    }, delayMs).unref();
  };
}
