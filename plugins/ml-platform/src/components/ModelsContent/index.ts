export { ModelsContent } from './ModelsContent';
