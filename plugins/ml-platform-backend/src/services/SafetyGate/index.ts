export { assertMayServe } from './assertMayServe';
