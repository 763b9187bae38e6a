import { InputError } from '@backstage/errors';
import type {
  ModelDetailsResponse,
  ModelVersion,
} from '@mlplatform/plugin-ml-platform-common';

const SAFE_CHOICES =
  'choose a version serialized as ONNX, skops or safetensors';

/**
 * Finds the version and refuses what a generated model service must not or
 * cannot serve: a version still registering or failed, one whose loading
 * runs pickle, or one whose format cannot be told.
 */
export function checkServable(
  details: ModelDetailsResponse,
  version: string,
): ModelVersion & { safety: NonNullable<ModelVersion['safety']> } {
  const name = details.model.name;
  const found = details.versions.find(v => v.version === version);
  if (!found) {
    const known = details.versions.map(v => v.version).join(', ') || 'none';
    throw new InputError(
      `Model ${name} has no version ${version} (versions: ${known})`,
    );
  }
  const ref = `Model version ${name}/${version}`;
  if (found.status !== 'READY') {
    throw new InputError(
      `${ref} is not ready to serve: its registry status is ${found.status}`,
    );
  }
  const { safety } = found;
  if (!safety) {
    throw new InputError(
      `${ref} cannot be checked for safe loading: ${
        found.safetyError ?? 'its MLmodel could not be read'
      }; ${SAFE_CHOICES}`,
    );
  }
  if (safety.safety === 'unsafe') {
    throw new InputError(
      `${ref} is unsafe to load: ${safety.reason.replace(
        /\.$/,
        '',
      )}; ${SAFE_CHOICES}`,
    );
  }
  if (safety.safety !== 'safe') {
    throw new InputError(
      `${ref} has no serialization known to load without unpickling: ${safety.reason.replace(
        /\.$/,
        '',
      )}; ${SAFE_CHOICES}`,
    );
  }
  return { ...found, safety };
}
