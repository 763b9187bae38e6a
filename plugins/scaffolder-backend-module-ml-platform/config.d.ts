export interface Config {
  mlPlatform?: {
    /** What the ML Platform's scaffolder actions do with a new service. */
    scaffolder?: {
      /**
       * Where new services' repositories go. `ml-platform:publish:target`
       * tells templates which publish step to run.
       */
      publish?: {
        /**
         * `github` or `gitlab`: templates publish with that SCM's actions.
         * `local`: `ml-platform:publish:local` copies the repository into
         * `directory` and registers it in the catalog as a `file` location,
         * for a portal without an SCM server (the demo); the catalog module
         * then accepts `file` locations.
         * @visibility backend
         */
        provider: 'github' | 'gitlab' | 'local';
        /**
         * SCM host, e.g. `github.example.com`. Defaults to `github.com` or
         * `gitlab.com`.
         * @visibility backend
         */
        host?: string;
        /**
         * Organization, user or group that owns new repositories. Needed
         * for `github` and `gitlab`.
         * @visibility backend
         */
        owner?: string;
        /**
         * For `local`: the directory new repositories are copied into, one
         * sub-directory per service. A relative path is resolved against the
         * backend's working directory, like the catalog's `file` locations
         * (`packages/backend` under `yarn start`).
         * @visibility backend
         */
        directory?: string;
      };
      /** `ml-platform:kubernetes:apply`. */
      apply?: {
        /**
         * Namespaces templates may apply manifests to, in any cluster.
         * Required: without it the action applies nowhere.
         * @visibility backend
         */
        allowedNamespaces?: string[];
        /**
         * Kinds templates may apply, as `<apiVersion>/<kind>`. Defaults to
         * what the ML Platform templates produce: `apps/v1/Deployment`,
         * `v1/Service`, `gateway.networking.k8s.io/v1/HTTPRoute`,
         * `argoproj.io/v1alpha1/Rollout`.
         * @visibility backend
         */
        allowedKinds?: string[];
      };
    };
  };
}
