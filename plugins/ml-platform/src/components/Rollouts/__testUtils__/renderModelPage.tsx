import { Entity } from '@backstage/catalog-model';
import { mockApis, renderTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  catalogApiMock,
  createTestEntityPage,
} from '@backstage/plugin-catalog-react/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { mlPlatformApi, modelEntityContent } from '../../../plugin';

/** The entity the demo's fraud-detector model is served by, owned by fraud-ml. */
export const fraudScorer: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'fraud-scorer',
    namespace: 'default',
    title: 'Fraud scorer',
    annotations: { 'ml-platform.io/registered-model': 'fraud-detector' },
  },
  spec: { type: 'model-service', owner: 'group:fraud-ml' },
};

/** The real model tab of the plugin, on an entity page, with the given permission answer. */
export const renderModelPage = (
  authorize:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
  entity: Entity = fraudScorer,
) =>
  renderTestApp({
    extensions: [
      createTestEntityPage({ entity }),
      mlPlatformApi,
      modelEntityContent,
    ],
    apis: [
      catalogApiMock({ entities: [entity] }),
      mockApis.permission({ authorize }),
    ],
    mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
  });
