import {
  mockCredentials,
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import type {
  RolloutRequest,
  RolloutResult,
} from '@mlplatform/plugin-ml-platform-common';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';

// mockServices.discovery() answers http://localhost:0/api/<plugin id>.
const ROLLOUTS_URL = 'http://localhost:0/api/ml-platform/rollouts';

/** The token mockServices.auth() issues for the mock context's initiator. */
export const initiatorToken = () =>
  `Bearer ${mockCredentials.service.token({
    onBehalfOf: mockCredentials.user(),
    targetPluginId: 'ml-platform',
  })}`;

/** The deployment the sample rollouts change. */
export const sampleDeployment = {
  model: 'fraud-detector',
  cluster: 'local',
  namespace: 'ml-prod',
};

export const sampleResult: RolloutResult = {
  auditId: '41',
  router: {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    name: 'fraud-detector',
  },
  before: {
    versions: [
      { version: '2', weight: 90, percent: 90 },
      { version: '3', weight: 10, percent: 10 },
    ],
  },
  after: {
    versions: [
      { version: '2', weight: 80, percent: 80 },
      { version: '3', weight: 20, percent: 20 },
    ],
  },
  resourceVersion: '48214',
};

/** What the rollout actions are built with in tests: the discovery URL and token above. */
export const actionServices = () => ({
  discovery: mockServices.discovery(),
  auth: mockServices.auth(),
});

/**
 * A fake ML Platform backend for the test file. `answer` makes it answer
 * POST /rollouts with `respond` and returns every request it gets from then
 * on, with its Authorization header.
 */
export function useFakeRolloutsBackend() {
  const server = setupServer();
  registerMswTestHooks(server);
  return {
    answer(
      respond: (body: RolloutRequest) => Response = () =>
        HttpResponse.json(sampleResult),
    ) {
      const received: Array<{
        body: RolloutRequest;
        authorization: string | null;
      }> = [];
      server.use(
        http.post(ROLLOUTS_URL, async ({ request }) => {
          const body = (await request.json()) as RolloutRequest;
          received.push({
            body,
            authorization: request.headers.get('authorization'),
          });
          return respond(body);
        }),
      );
      return received;
    },
  };
}

/** The mock context takes no isDryRun option; the scaffolder sets the flag. */
export function dryRun<T extends { isDryRun?: boolean }>(ctx: T): T {
  ctx.isDryRun = true;
  return ctx;
}
