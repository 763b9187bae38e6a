import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Configuration of the ML Platform plugins. */
  mlPlatform?: {
    /**
     * How long one source (a model registry, a cluster) may take to answer
     * before a listing goes on without it and reports it as failed.
     * Defaults to 10 seconds.
     * @visibility backend
     */
    sourceTimeout?: HumanDuration | string;
  };
}
