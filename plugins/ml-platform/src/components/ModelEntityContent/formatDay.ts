/**
 * A registration or serving moment as a date, in UTC so that everyone on a
 * team reads the same day off the same version.
 */
export function formatDay(iso: string | undefined): string {
  if (!iso) {
    return '—';
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(0, 10);
}
