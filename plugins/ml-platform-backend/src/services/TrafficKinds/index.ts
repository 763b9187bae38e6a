export { createTrafficKinds } from './createTrafficKinds';
export type { TrafficKinds } from './createTrafficKinds';
