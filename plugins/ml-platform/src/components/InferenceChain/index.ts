export { InferenceChain } from './InferenceChain';
