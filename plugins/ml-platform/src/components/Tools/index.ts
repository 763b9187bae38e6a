export { ToolsContent } from './ToolsContent';
export { EntityToolCard } from './EntityToolCard';
