import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  RootConfigService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';

const CONFIG_KEY = 'catalog.providers.mlPlatform';

// The first run waits a little: the catalog and the ML Platform backend it
// reads are started by the same backend and answer only once it is up.
const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 5 },
  timeout: { minutes: 3 },
  initialDelay: { seconds: 15 },
};

/** Settings of the {@link MlModelEntityProvider}. */
export interface MlModelEntityProviderConfig {
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** Entity reference of the owner of every model's Resource. */
  defaultOwner?: string;
}

/** Reads `catalog.providers.mlPlatform`; every key is optional. */
export function readProviderConfig(
  config: RootConfigService,
): MlModelEntityProviderConfig {
  const providerConfig = config.getOptionalConfig(CONFIG_KEY);
  const scheduleConfig = providerConfig?.getOptionalConfig('schedule');
  return {
    schedule: scheduleConfig
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(scheduleConfig)
      : DEFAULT_SCHEDULE,
    defaultOwner: providerConfig?.getOptionalString('defaultOwner'),
  };
}
