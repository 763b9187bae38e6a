/** Names one model version, as a deployment does. */
export interface ServingVersionRef {
  /** Missing when the deployment names no registry. */
  registryId?: string;
  model: string;
  version: string;
}

/** One sighting of a version serving traffic (percent > 0). */
export interface ServingObservation extends ServingVersionRef {
  cluster: string;
  namespace: string;
  at: Date;
}

/** The earliest sighting of a version serving traffic, and where it was. */
export type FirstServing = ServingObservation;

/** The first moments model versions served traffic, kept in the plugin's database. */
export interface LeadTimeStore {
  /**
   * Records sightings. Only the earliest moment per version is ever kept:
   * a later sighting changes nothing, an earlier one replaces the stored one.
   * Idempotent, and safe when several backend replicas record at once.
   */
  recordServing(observations: ServingObservation[]): Promise<void>;
  /**
   * Every version's first sighting, keyed by {@link firstServingKey}; only
   * those of one model when a model is given.
   */
  firstServing(filter?: { model?: string }): Promise<Map<string, FirstServing>>;
}

/** What {@link startLeadTimeRecording} returns: the store, and a way to stop recording. */
export interface LeadTimeRecording extends LeadTimeStore {
  /** Stops listening for changes and waits for writes under way. */
  stop(): Promise<void>;
}
