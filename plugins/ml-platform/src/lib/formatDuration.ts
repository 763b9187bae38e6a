const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const twoUnits = (
  seconds: number,
  big: number,
  bigUnit: string,
  small: number,
  smallUnit: string,
) => {
  const whole = Math.floor(seconds / big);
  const rest = Math.floor((seconds % big) / small);
  return rest > 0
    ? `${whole} ${bigUnit} ${rest} ${smallUnit}`
    : `${whole} ${bigUnit}`;
};

/**
 * A duration the way people say it, with at most two units: "45 s",
 * "12 min", "3 h 20 min", "2 d 4 h". Smaller units are dropped, not rounded,
 * so a lead time never reads longer than it was.
 */
export const formatDuration = (seconds: number): string => {
  if (!Number.isFinite(seconds) || seconds < 0) {
    return '—';
  }
  if (seconds < MINUTE) {
    return `${Math.floor(seconds)} s`;
  }
  if (seconds < HOUR) {
    return `${Math.floor(seconds / MINUTE)} min`;
  }
  if (seconds < DAY) {
    return twoUnits(seconds, HOUR, 'h', MINUTE, 'min');
  }
  return twoUnits(seconds, DAY, 'd', HOUR, 'h');
};
