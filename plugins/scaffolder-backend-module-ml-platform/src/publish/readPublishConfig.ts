import path from 'node:path';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

const KEY = 'mlPlatform.scaffolder.publish';
const PROVIDERS = ['github', 'gitlab', 'local'] as const;
const DEFAULT_HOSTS = { github: 'github.com', gitlab: 'gitlab.com' };

/** `mlPlatform.scaffolder.publish`, checked. */
export type PublishConfig =
  | { provider: 'github' | 'gitlab'; host: string; owner: string }
  | { provider: 'local'; directory: string };

/**
 * Reads where new repositories go. Missing or incomplete configuration is an
 * error of the template run that needs it, not of the backend's start, so a
 * portal that never scaffolds needs none.
 */
export function readPublishConfig(config: Config): PublishConfig {
  const publish = config.getOptionalConfig(KEY);
  const provider = publish?.getOptionalString('provider');
  if (!publish || !provider) {
    throw new InputError(
      `${KEY}.provider is not configured: set it to github, gitlab or local`,
    );
  }
  if (!(PROVIDERS as readonly string[]).includes(provider)) {
    throw new InputError(
      `${KEY}.provider '${provider}' is not one of ${PROVIDERS.join(', ')}`,
    );
  }
  if (provider === 'local') {
    const directory = publish.getOptionalString('directory');
    if (!directory) {
      throw new InputError(
        `${KEY}.directory is needed for provider local: where new repositories are copied to`,
      );
    }
    // Relative to the working directory, like the catalog's file locations.
    return { provider, directory: path.resolve(directory) };
  }
  const scm = provider as 'github' | 'gitlab';
  const owner = publish.getOptionalString('owner');
  if (!owner) {
    throw new InputError(
      `${KEY}.owner is needed for provider ${scm}: the organization or group that owns new repositories`,
    );
  }
  return {
    provider: scm,
    host: publish.getOptionalString('host') ?? DEFAULT_HOSTS[scm],
    owner,
  };
}
