import type { HumanDuration } from '@backstage/types';

export interface Config {
  mlPlatform?: {
    /** How the ML Platform plugins talk to the clusters of the `kubernetes` section. */
    kubernetes?: {
      /**
       * How long one apiserver request may take, retries included, before
       * it fails saying so (a write: that it may or may not have been
       * applied). Reads and server-side applies are tried again on 429, 5xx
       * and broken connections within this time. Defaults to 10 seconds.
       * @visibility backend
       */
      requestTimeout?: HumanDuration | string;
    };
  };
}
