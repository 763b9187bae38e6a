import { ModelVersion } from '@mlplatform/plugin-ml-platform-common';

/** A verdict's reason that several versions share, said once for all of them. */
export interface SharedReason {
  /** 1 for the first shared reason in the table's order, and so on. */
  note: number;
  reason: string;
  /** The versions it is the reason of, in the table's order. */
  versions: string[];
}

/**
 * The reasons that more than one version's verdict gives, numbered in the
 * order the versions come: versions built the same way get the same long
 * paragraph, which the table then says once instead of on every row.
 */
export function sharedReasons(versions: ModelVersion[]): SharedReason[] {
  const byReason = new Map<string, string[]>();
  for (const v of versions) {
    const reason = v.safety?.reason;
    if (reason) {
      byReason.set(reason, [...(byReason.get(reason) ?? []), v.version]);
    }
  }
  return [...byReason]
    .filter(([, of]) => of.length > 1)
    .map(([reason, of], i) => ({ note: i + 1, reason, versions: of }));
}
