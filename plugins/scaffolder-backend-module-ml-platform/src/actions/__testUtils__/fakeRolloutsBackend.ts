import { mockCredentials } from '@backstage/backend-test-utils';
import type {
  RolloutRequest,
  RolloutResult,
} from '@mlplatform/plugin-ml-platform-common';
import { http, HttpResponse } from 'msw';
import type { SetupServer } from 'msw/node';

// mockServices.discovery() answers http://localhost:0/api/<plugin id>.
export const ROLLOUTS_URL = 'http://localhost:0/api/ml-platform/rollouts';

/** The token mockServices.auth() issues for the mock context's initiator. */
export const initiatorToken = () =>
  `Bearer ${mockCredentials.service.token({
    onBehalfOf: mockCredentials.user(),
    targetPluginId: 'ml-platform',
  })}`;

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

/**
 * Answers POST /rollouts with `answer` and keeps every request it got, with
 * its Authorization header.
 */
export function fakeRolloutsBackend(
  server: SetupServer,
  answer: (body: RolloutRequest) => Response = () =>
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
      return answer(body);
    }),
  );
  return received;
}

/** The mock context takes no isDryRun option; the scaffolder sets the flag. */
export function dryRun<T extends { isDryRun?: boolean }>(ctx: T): T {
  ctx.isDryRun = true;
  return ctx;
}
