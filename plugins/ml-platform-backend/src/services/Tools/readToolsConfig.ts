import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { isHttpUrl, type ConfiguredTool } from './mapTools';

/** Reads `mlPlatform.tools`, rejecting duplicate names and URLs that are not http(s). */
export function readToolsConfig(config: Config): ConfiguredTool[] {
  const tools = config.getOptionalConfigArray('mlPlatform.tools') ?? [];
  const names = new Set<string>();
  return tools.map(c => {
    const name = c.getString('name');
    if (names.has(name)) {
      throw new InputError(`Duplicate mlPlatform.tools name '${name}'`);
    }
    names.add(name);
    const tool: ConfiguredTool = {
      name,
      type: c.getString('type'),
      url: c.getString('url'),
      healthUrl: c.getOptionalString('healthUrl'),
    };
    for (const key of ['url', 'healthUrl'] as const) {
      const value = tool[key];
      if (value !== undefined && !isHttpUrl(value)) {
        throw new InputError(
          `mlPlatform.tools '${name}': ${key} '${value}' is not an http(s) URL`,
        );
      }
    }
    return tool;
  });
}
