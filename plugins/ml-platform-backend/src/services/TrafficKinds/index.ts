export { createTrafficKinds, orderTrafficKinds } from './createTrafficKinds';
export type { TrafficKinds } from './createTrafficKinds';
