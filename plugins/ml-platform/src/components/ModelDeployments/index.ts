export { ModelDeployments } from './ModelDeployments';
