import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  type SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';

const KEY = 'search.collators.mlPlatform.schedule';

// Models change as often as teams register versions; the backend answers
// from memory, so a run costs the registries nothing. The first run waits
// for the ML Platform backend's first read of the registries.
const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 10 },
  timeout: { minutes: 15 },
  initialDelay: { minutes: 1 },
};

/** `search.collators.mlPlatform.schedule`, else every 10 minutes. */
export function readCollatorSchedule(
  config: Config,
): SchedulerServiceTaskScheduleDefinition {
  return config.has(KEY)
    ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
        config.getConfig(KEY),
      )
    : DEFAULT_SCHEDULE;
}
