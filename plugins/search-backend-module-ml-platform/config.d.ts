import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  search?: {
    collators?: {
      /**
       * The ML Platform collator, which indexes every registered model and
       * version the ML Platform backend lists (documents of type
       * `ml-model`).
       */
      mlPlatform?: {
        /**
         * How often the models are indexed. Defaults to every 10 minutes,
         * with a 15 minute timeout, first a minute after the backend
         * starts.
         * @visibility backend
         */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      };
    };
  };
}
