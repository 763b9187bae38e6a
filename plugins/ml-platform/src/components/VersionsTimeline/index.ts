export { VersionsTimeline } from './VersionsTimeline';
