import { Config } from '@backstage/config';
import { LakefsConfig } from './LakefsClient';
import { ZenmlConfig } from './ZenmlClient';

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** Reads `mlPlatform.zenml` and `mlPlatform.lakefs`; each is optional. */
export function readLineageConfig(config: Config): {
  zenml?: ZenmlConfig;
  lakefs?: LakefsConfig;
} {
  const z = config.getOptionalConfig('mlPlatform.zenml');
  const l = config.getOptionalConfig('mlPlatform.lakefs');
  return {
    zenml: z && {
      baseUrl: trimSlash(z.getString('baseUrl')),
      dashboardUrl: trimSlash(
        z.getOptionalString('dashboardUrl') ?? z.getString('baseUrl'),
      ),
      project: z.getOptionalString('project') ?? 'default',
      username: z.getString('username'),
      password: z.getString('password'),
    },
    lakefs: l && {
      baseUrl: trimSlash(l.getString('baseUrl')),
      uiUrl: trimSlash(l.getOptionalString('uiUrl') ?? l.getString('baseUrl')),
      accessKeyId: l.getString('accessKeyId'),
      secretAccessKey: l.getString('secretAccessKey'),
    },
  };
}
