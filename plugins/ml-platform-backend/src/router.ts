import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import { mlPlatformModelReadPermission } from '@mlplatform/plugin-ml-platform-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod/v3';
import { ModelCatalogService } from './services/ModelCatalog';
import { ToolsService } from './services/Tools';

const MAX_PAGE = 500;

const listQuery = z
  .object({
    search: z.string().trim().min(1).optional(),
    owner: z.string().min(1).optional(),
    alias: z.string().min(1).optional(),
    cluster: z.string().min(1).optional(),
    safety: z.enum(['safe', 'unsafe', 'unknown']).optional(),
    deployed: z.enum(['true', 'false']).optional(),
    offset: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
  })
  .strict();

const modelQuery = z
  .object({ registry: z.string().min(1).optional() })
  .strict();

function parse<S extends z.ZodTypeAny>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map(i =>
        i.code === 'unrecognized_keys'
          ? `unknown parameter ${i.keys.join(', ')}`
          : `${i.path.join('.') || what}: ${i.message}`,
      )
      .join('; ');
    throw new InputError(`Invalid ${what}: ${issues}`);
  }
  return parsed.data;
}

export async function createRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  modelCatalog: ModelCatalogService;
  tools: ToolsService;
}): Promise<express.Router> {
  const { httpAuth, permissions, modelCatalog, tools } = options;
  const router = Router();
  router.use(express.json());

  async function authorize(
    req: express.Request,
    permission: BasicPermission,
  ): Promise<BackstageCredentials> {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Not allowed: ${permission.name}`);
    }
    return credentials;
  }

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/models', async (req, res) => {
    await authorize(req, mlPlatformModelReadPermission);
    const { deployed, ...query } = parse(listQuery, req.query, 'query');
    res.json(
      await modelCatalog.listModels({
        ...query,
        deployed: deployed === undefined ? undefined : deployed === 'true',
      }),
    );
  });

  router.get('/models/:name', async (req, res) => {
    await authorize(req, mlPlatformModelReadPermission);
    const { registry } = parse(modelQuery, req.query, 'query');
    res.json(await modelCatalog.getModel(req.params.name, registry));
  });

  router.get('/tools', async (req, res) => {
    await authorize(req, mlPlatformModelReadPermission);
    res.json(tools.listTools());
  });

  router.post('/refresh', async (req, res) => {
    await authorize(req, mlPlatformModelReadPermission);
    await modelCatalog.refresh();
    res.status(204).end();
  });

  return router;
}
