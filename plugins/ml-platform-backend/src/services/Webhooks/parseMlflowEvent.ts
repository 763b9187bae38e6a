import { InputError } from '@backstage/errors';
import { z } from 'zod/v3';

/** The entities whose changes show in the model catalog. */
export const CATALOG_ENTITIES = [
  'registered_model',
  'model_version',
  'model_version_tag',
  'model_version_alias',
] as const;

/** A verified delivery's event, e.g. `model_version.created` of model `churn`. */
export interface MlflowEvent {
  entity: string;
  action: string;
  /** The registered model the event is about, when it names one. */
  model?: string;
  /** Whether the event changes what the catalog shows. */
  affectsCatalog: boolean;
}

// MLflow wraps every payload the same way; `data` differs per event and only
// its `name` is read here.
const envelope = z.object({
  entity: z.string().min(1),
  action: z.string().min(1),
  timestamp: z.string().optional(),
  data: z.object({ name: z.string().optional() }).passthrough(),
});

export function parseMlflowEvent(body: Buffer): MlflowEvent {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new InputError('The webhook delivery is not JSON');
  }
  const parsed = envelope.safeParse(json);
  if (!parsed.success) {
    throw new InputError(
      `The webhook delivery is not an MLflow event: ${parsed.error.issues
        .map(i => `${i.path.join('.') || 'body'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  const { entity, action, data } = parsed.data;
  return {
    entity,
    action,
    model: data.name,
    affectsCatalog: (CATALOG_ENTITIES as readonly string[]).includes(entity),
  };
}
