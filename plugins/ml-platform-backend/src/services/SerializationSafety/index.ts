export { classifyMlModel } from './classifyMlModel';
