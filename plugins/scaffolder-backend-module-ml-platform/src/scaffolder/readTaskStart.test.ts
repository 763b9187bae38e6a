import {
  mockCredentials,
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { readTaskStart } from './readTaskStart';

// mockServices.discovery() answers http://localhost:0/api/<plugin id>.
const TASK_URL = 'http://localhost:0/api/scaffolder/v2/tasks/:id';

const server = setupServer();
registerMswTestHooks(server);

const read = (taskId: string) =>
  readTaskStart({
    discovery: mockServices.discovery(),
    auth: mockServices.auth(),
    credentials: mockCredentials.user(),
    taskId,
  });

describe('readTaskStart', () => {
  it("answers the task's creation time, asking as the task's initiator", async () => {
    server.use(
      http.get(TASK_URL, ({ params, request }) =>
        params.id === 'task-1' &&
        request.headers.get('authorization')?.startsWith('Bearer ')
          ? HttpResponse.json({
              id: 'task-1',
              createdAt: '2026-11-29T15:00:00.250Z',
            })
          : new HttpResponse(null, { status: 401 }),
      ),
    );

    expect(await read('task-1')).toEqual({
      at: Date.parse('2026-11-29T15:00:00.250Z'),
      resolutionMs: 1,
    });
  });

  it('reads a time SQLite stored without a zone as UTC, known to the second', async () => {
    server.use(
      http.get(TASK_URL, () =>
        HttpResponse.json({ id: 'task-2', createdAt: '2026-11-29 15:00:07' }),
      ),
    );

    expect(await read('task-2')).toEqual({
      at: Date.parse('2026-11-29T15:00:07Z'),
      resolutionMs: 1000,
    });
  });

  it("takes the scaffolder's .000 of a SQLite time for what it is: whole seconds", async () => {
    server.use(
      http.get(TASK_URL, () =>
        HttpResponse.json({
          id: 'task-3',
          createdAt: '2026-11-29T15:00:07.000+00:00',
        }),
      ),
    );

    expect(await read('task-3')).toEqual({
      at: Date.parse('2026-11-29T15:00:07Z'),
      resolutionMs: 1000,
    });
  });

  it('answers undefined when the task cannot be read, so no wrong duration is shown', async () => {
    server.use(
      http.get(TASK_URL, () => new HttpResponse(null, { status: 404 })),
    );

    expect(await read('gone')).toBeUndefined();
  });
});
