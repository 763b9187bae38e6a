import {
  coreServices,
  createBackendModule,
  type SchedulerService,
} from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';

/**
 * The test backend's scheduler, with no task run at startup, so a test
 * runs the tasks it needs when it needs them: `features` go into
 * startTestBackend, `scheduler()` is the service once it has started.
 */
export function manualScheduler() {
  let scheduler: SchedulerService | undefined;
  const handle = createBackendModule({
    pluginId: 'search',
    moduleId: 'test-scheduler-handle',
    register(env) {
      env.registerInit({
        deps: { service: coreServices.scheduler },
        async init({ service }) {
          scheduler = service;
        },
      });
    },
  });
  return {
    features: [
      mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      handle,
    ],
    scheduler: () => {
      if (!scheduler) throw new Error('The test backend has not started');
      return scheduler;
    },
  };
}
