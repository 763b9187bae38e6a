import fs from 'node:fs';
import path from 'node:path';

/** Where the platform scripts keep addresses, credentials and data of the running platform. */
export const PLATFORM_STATE_DIR =
  process.env.ML_PLATFORM_STATE ??
  // Tests run from source, never from a bundle, so __dirname is this folder.
  // eslint-disable-next-line no-restricted-syntax
  path.resolve(__dirname, '../../../.local/platform');

/**
 * Reads `<component>.json` written by `scripts/platform/<component>.sh start`.
 * Fails with the command to run when the platform is not up, so a test never
 * passes without the real server.
 */
export function readPlatformFile<T = Record<string, any>>(
  component: string,
): T {
  const file = path.join(PLATFORM_STATE_DIR, `${component}.json`);
  if (!fs.existsSync(file)) {
    throw new Error(
      `${file} is missing: start the local platform with scripts/platform/up.sh`,
    );
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}
