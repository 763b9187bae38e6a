import { z } from 'zod/v3';

/** A name in a request: surrounding spaces dropped, never empty. */
export const name = z.string().trim().min(1);

/** Which deployment of which registered model a rollout request is about. */
export const deploymentFields = {
  model: name,
  registryId: name.optional(),
  cluster: name,
  namespace: name,
};
