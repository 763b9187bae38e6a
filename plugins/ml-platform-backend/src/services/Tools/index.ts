export { createToolsService } from './createToolsService';
export type { ToolsServiceOptions } from './createToolsService';
export type { ToolsService } from './types';
