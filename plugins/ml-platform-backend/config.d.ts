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

    /**
     * Who owns a model, for rollouts: the owners of the catalog entities
     * that claim it (name it with the `ml-platform.io/registered-model`
     * annotation) from these locations; every one of them must allow the
     * rollout permission. Claims from other locations (a catalog import by
     * any user) are ignored. A model no trusted entity claims may be changed
     * only by a caller the permission policy allows on every model. The
     * catalog module's `ml-model` Resources are always trusted.
     */
    ownership?: {
      /**
       * Origin locations as the catalog records them, `<type>:<target>`
       * (`file` targets relative to the backend's working directory), where
       * a trailing `*` matches any rest, e.g.
       * `url:https://github.com/acme/ml-catalog/*`. Defaults to the
       * locations of `catalog.locations`; when set, only these.
       * @visibility backend
       */
      trustedLocations?: string[];
    };

    /**
     * The service principals that may call this plugin, each with the
     * permissions it may use; any other service principal is refused. Users
     * are decided by the permission policy. `plugin:catalog` (the catalog
     * module's entity provider) always has `ml-platform.model.read`.
     */
    servicePrincipals?: Array<{
      /**
       * The subject as Backstage names the caller: the `subject` of a
       * static `backend.auth.externalAccess` token as configured (e.g.
       * `platform-automation`), `external:<subject>` of a JWKS token, or
       * `plugin:<plugin id>` of another backend plugin.
       * @visibility backend
       */
      subject: string;
      /**
       * Names of this plugin's permissions, e.g. `ml-platform.model.read`,
       * `ml-platform.rollout.execute`, `ml-platform.audit.read`.
       * @visibility backend
       */
      permissions: string[];
    }>;

    /**
     * The registry whose models the workloads without an
     * `ml-platform.io/registry` label serve. Defaults to the first registry
     * of `mlPlatform.registries.mlflow`. An unlabelled deployment never
     * counts for a same-named model of another registry.
     * @visibility backend
     */
    defaultRegistry?: string;

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
      /**
       * The shortest time between two reads of the registries that callers
       * of `POST /refresh` start, per replica; a call sooner is answered
       * 429 with `Retry-After`. Defaults to 10 seconds. (Scheduled reads and
       * webhooks are not counted.)
       * @visibility backend
       */
      minInterval?: HumanDuration | string;
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

    /**
     * Tools found in the clusters: Services labelled `ml-platform.io/tool`
     * with an `ml-platform.io/dashboard-url` annotation. Anyone who may
     * create a Service may label it, so only these namespaces count, and the
     * backend's health probe only goes to these hosts and to those the
     * config names itself (tools, registries, ZenML, lakeFS).
     */
    toolDiscovery?: {
      /**
       * Namespaces (in every cluster) whose tool Services are shown; none
       * by default, so no Service is taken for a tool.
       * @visibility backend
       */
      namespaces?: string[];
      /**
       * Hosts a discovered tool may be probed at, besides those the config
       * names: `mlflow.example.com` (any port), `mlflow.example.com:443`,
       * `*.example.com`. A tool at another host is shown, never requested.
       * @visibility backend
       */
      hosts?: string[];
    };

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

    /**
     * Serialization verdicts, read from each version's artifact files. The
     * gate's `allowUnknown`, which the frontend reads as well, is declared
     * by `@mlplatform/plugin-ml-platform-common`.
     */
    safety?: {
      /** How much of each version's artifact is read. */
      budget?: {
        /**
         * Bytes read of one file; a larger file is `unknown` unless its
         * header alone tells (safetensors, ONNX, NumPy). Default 256 MiB.
         * @visibility backend
         */
        maxFileBytes?: number;
        /**
         * Bytes read of all files of one version. Default 1 GiB.
         * @visibility backend
         */
        maxVersionBytes?: number;
      };
      /**
       * How often a judged version's file listing is read again, to judge
       * it again if a file was added, removed or resized. Default 1 hour.
       * @visibility backend
       */
      recheckInterval?: HumanDuration | string;
    };

    /**
     * Traffic changes (canary, split, promote, rollback) from the portal. The
     * `servingAlias`, which the frontend reads as well, is declared by
     * `@mlplatform/plugin-ml-platform-common`.
     */
    rollouts?: {
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
