export { ModelsTable } from './ModelsTable';
