export { SafetyBadge } from './SafetyBadge';
export { TrafficSplitBar } from './TrafficSplitBar';
export { splitText } from './splitText';
export type { VersionShare } from './splitText';
export { useVersionColor } from './useVersionColor';
export { formatDuration } from '../../lib/formatDuration';
