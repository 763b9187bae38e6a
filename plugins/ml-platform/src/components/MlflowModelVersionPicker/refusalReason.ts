import { ModelVersion } from '@mlplatform/plugin-ml-platform-common';

/**
 * Why a version cannot back a new model service, or undefined when it can.
 * The generated service loads only formats that never unpickle, so a version
 * must be known safe, and registered, so that there is an artifact to build
 * from. The scaffolder's `ml-platform:model-version:check` step refuses the
 * same versions; saying so in the form spares the user a failed run.
 */
export const refusalReason = (version: ModelVersion): string | undefined => {
  const label = `${version.name} v${version.version}`;
  if (version.status !== 'READY') {
    return `${label} is ${version.status}, not READY: only a fully registered version has an artifact to serve.`;
  }
  const verdict = version.safety;
  if (!verdict) {
    return `${label} cannot be checked for safe loading: ${
      version.safetyError ?? 'its MLmodel could not be read'
    }.`;
  }
  if (verdict.safety === 'unsafe') {
    return `${label} is unsafe to serve: ${verdict.reason}`;
  }
  if (verdict.safety !== 'safe') {
    return `${label} has no serialization known to load without unpickling: ${verdict.reason}`;
  }
  return undefined;
};
