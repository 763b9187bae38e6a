import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  catalog?: {
    providers?: {
      /**
       * The ML Platform entity provider, which adds one `Resource` of type
       * `ml-model` per registered model that no catalog entity from a trusted
       * location (`mlPlatform.ownership.trustedLocations`) names with the
       * `ml-platform.io/registered-model` annotation.
       */
      mlPlatform?: {
        /**
         * How often the models are read from the ML Platform backend.
         * Defaults to every 5 minutes, with a 3 minute timeout, first 15
         * seconds after the backend starts.
         * @visibility backend
         */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        /**
         * Owner of every model's Resource, as an entity reference; a bare
         * name means a group. Defaults to `unknown`. The model's MLflow
         * `owner` tag is only shown (annotation `ml-platform.io/owner-tag`).
         * @visibility backend
         */
        defaultOwner?: string;
      };
    };
  };
}
