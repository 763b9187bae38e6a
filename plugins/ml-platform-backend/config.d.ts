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

    /** How often the model registries are read again. */
    refresh?: {
      /**
       * Defaults to 5 minutes. Page views never read the registries: they
       * are answered from what the last refresh read. With several backend
       * replicas, one of them reads each registry per interval and stores
       * what it read in the plugin's database.
       * @visibility backend
       */
      frequency?: HumanDuration | string;
      /**
       * How often each replica loads what another replica read (after a
       * webhook or a scheduled refresh) from the database. Defaults to 5
       * seconds; each look is one small query.
       * @visibility backend
       */
      pollInterval?: HumanDuration | string;
    };

    /** The ZenML server whose pipeline runs produced the model versions. */
    zenml?: {
      /** @visibility backend */
      baseUrl: string;
      /**
       * Where links to the ZenML dashboard point; defaults to baseUrl.
       * @visibility backend
       */
      dashboardUrl?: string;
      /**
       * ZenML project of the runs; defaults to `default`.
       * @visibility backend
       */
      project?: string;
      /** @visibility backend */
      username: string;
      /** @visibility secret */
      password: string;
    };

    /** The lakeFS server holding the training data commits. */
    lakefs?: {
      /** @visibility backend */
      baseUrl: string;
      /**
       * Where links to the lakeFS UI point; defaults to baseUrl.
       * @visibility backend
       */
      uiUrl?: string;
      /** @visibility backend */
      accessKeyId: string;
      /** @visibility secret */
      secretAccessKey: string;
    };

    /**
     * ML tools (MLflow, ZenML, lakeFS dashboards, ...) shown next to those
     * found in the clusters as Services labelled `ml-platform.io/tool`.
     * Their health is probed every minute.
     */
    tools?: Array<{
      /**
       * Unique name of the tool.
       * @visibility backend
       */
      name: string;
      /**
       * `mlflow`, `zenml`, `lakefs` or any other type; other types are only
       * probed when healthUrl is set.
       * @visibility backend
       */
      type: string;
      /**
       * The dashboard's public URL.
       * @visibility backend
       */
      url: string;
      /**
       * What the health probe requests; defaults to the type's health
       * endpoint under url (MLflow and ZenML `/health`, lakeFS
       * `/api/v1/healthcheck`).
       * @visibility backend
       */
      healthUrl?: string;
    }>;

    /** Model registries the plugin reads by itself, next to those added by modules. */
    registries?: {
      /** MLflow tracking servers (REST API 2.0, MLflow 2.x or 3.x). */
      mlflow?: Array<{
        /**
         * Unique id of this registry, used in entity annotations and URLs.
         * @visibility backend
         */
        id: string;
        /**
         * The server's address, e.g. `https://mlflow.example.com`.
         * @visibility backend
         */
        baseUrl: string;
        /**
         * Where links to the MLflow UI point; defaults to baseUrl.
         * @visibility backend
         */
        uiUrl?: string;
        /** Basic auth (the MLflow basic-auth app) or a bearer token. */
        auth?:
          | {
              /** @visibility backend */
              username: string;
              /** @visibility secret */
              password: string;
            }
          | {
              /** @visibility secret */
              token: string;
            };
        /**
         * Credentials for the writes rollouts make (moving the serving alias
         * on promote and rollback), when `auth` may only read.
         */
        writeAuth?:
          | {
              /** @visibility backend */
              username: string;
              /** @visibility secret */
              password: string;
            }
          | {
              /** @visibility secret */
              token: string;
            };
        /**
         * Registry webhooks (MLflow 3.3+): MLflow tells the backend when a
         * model, version, version tag or alias changes, and the backend reads
         * this registry again at once instead of at the next scheduled
         * refresh. Deliveries go to
         * `POST {backend}/api/ml-platform/webhooks/mlflow/{id}` and are
         * accepted only with a valid signature made with the secret.
         */
        webhook?: {
          /**
           * The HMAC-SHA256 key MLflow signs deliveries with (at least 16
           * characters). It is the only authentication of the webhook route.
           * @visibility secret
           */
          secret: string;
          /**
           * The address at which MLflow reaches the webhook route of this
           * backend. When set, the backend creates or updates its webhook in
           * MLflow at startup and every hour (needs an MLflow admin in auth).
           * @visibility backend
           */
          url?: string;
          /**
           * The webhook's name in MLflow; defaults to
           * `backstage-ml-platform-{id}`.
           * @visibility backend
           */
          name?: string;
        };
      }>;
    };

    /** Traffic changes (canary, split, promote, rollback) from the portal. */
    rollouts?: {
      /**
       * Let versions whose loading runs pickle gain traffic. Default false:
       * such a change is refused with the reason.
       * @visibility backend
       */
      allowUnsafeVersions?: boolean;
      /**
       * The registry alias that names the serving version: a promote moves it
       * to the promoted version, a rollback moves it back. Default `champion`.
       * @visibility frontend
       */
      servingAlias?: string;
      /** Per-cluster settings; clusters are those of the `kubernetes` section. */
      clusters?: Array<{
        /**
         * A cluster name from the `kubernetes` section.
         * @visibility backend
         */
        name: string;
        /**
         * Patch objects that Argo CD or Flux manage, although their next sync
         * reverts the change. Default false.
         * @visibility backend
         */
        allowGitOpsManaged?: boolean;
      }>;
    };
  };
}
