export { SafetyBadge } from './SafetyBadge';
export { TrafficSplitBar } from './TrafficSplitBar';
export { versionColor } from './versionColor';
export { formatDuration } from '../../lib/formatDuration';
