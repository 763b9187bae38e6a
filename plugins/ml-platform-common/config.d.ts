// The keys both the frontend and the backend read. Declared here, in the
// package both depend on, so that the app's config schema (built from the
// app's dependencies) lets them through to the browser; the backend's own
// keys are in @mlplatform/plugin-ml-platform-backend.
export interface Config {
  mlPlatform?: {
    /** The serving gate, which lets only `safe` versions serve. */
    safety?: {
      /**
       * Where a version whose verdict is `unknown` (a file over the budget,
       * unreadable or of a format not known) may still serve: get traffic,
       * back a new deployment, be chosen in a template. By default nowhere.
       * An `unsafe` version never may. The template form reads it too.
       * @visibility frontend
       */
      allowUnknown?: Array<{
        /**
         * A cluster name from the `kubernetes` section.
         * @visibility frontend
         */
        cluster: string;
        /**
         * One namespace of the cluster; every namespace when missing.
         * @visibility frontend
         */
        namespace?: string;
      }>;
    };

    /** Traffic changes from the portal. */
    rollouts?: {
      /**
       * The registry alias that names the serving version: a promote moves it
       * to the promoted version, a rollback moves it back. Default `champion`.
       * @visibility frontend
       */
      servingAlias?: string;
    };
  };
}
