export const pluginId = 'ml-platform';
