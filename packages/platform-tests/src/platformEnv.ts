import fs from 'node:fs';
import path from 'node:path';

/** Where the platform scripts keep addresses, credentials and data of the running platform. */
export const PLATFORM_STATE_DIR =
  process.env.ML_PLATFORM_STATE ??
  // Tests run from source, never from a bundle, so __dirname is this folder.
  // eslint-disable-next-line no-restricted-syntax
  path.resolve(__dirname, '../../../.local/platform');

/**
 * The path of a file that `scripts/platform/up.sh` writes into the state
 * directory. Fails with the command to run when the platform is not up, so a
 * test never passes without the real servers.
 */
export function platformFilePath(name: string): string {
  const file = path.join(PLATFORM_STATE_DIR, name);
  if (!fs.existsSync(file)) {
    throw new Error(
      `The local platform is not running (${file} is missing): start the platform: scripts/platform/up.sh`,
    );
  }
  return file;
}

/**
 * Reads `<component>.json` written by `scripts/platform/<component>.sh start`
 * (or `<name>-seed.json` written by its seed).
 */
export function readPlatformFile<T = Record<string, any>>(
  component: string,
): T {
  return JSON.parse(
    fs.readFileSync(platformFilePath(`${component}.json`), 'utf8'),
  ) as T;
}
