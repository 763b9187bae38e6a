import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { mlPlatformModelReadPermission } from '@mlplatform/plugin-ml-platform-common';
import express from 'express';
import Router from 'express-promise-router';
import { ModelCatalogService } from './services/ModelCatalog';

export async function createRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  modelCatalog: ModelCatalogService;
}): Promise<express.Router> {
  const { httpAuth, permissions, modelCatalog } = options;
  const router = Router();
  router.use(express.json());

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/models', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize(
      [{ permission: mlPlatformModelReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed: ${mlPlatformModelReadPermission.name}`,
      );
    }
    res.json(await modelCatalog.listModels());
  });

  return router;
}
