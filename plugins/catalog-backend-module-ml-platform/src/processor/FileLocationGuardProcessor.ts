import fs from 'node:fs';
import path from 'node:path';
import { isChildPath } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { LocationSpec } from '@backstage/plugin-catalog-common';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  processingResult,
} from '@backstage/plugin-catalog-node';

const GLOB = /[*?[\]{}()!]/;

/** The directory a configured target names, up to its first glob character. */
function baseDirectory(target: string): string {
  const parts = target.split(path.sep);
  const fixed = parts.findIndex(p => GLOB.test(p));
  return fixed === -1
    ? path.dirname(target)
    : parts.slice(0, fixed).join(path.sep) || path.sep;
}

// A link in the publish directory must not lead out of it.
const real = (p: string) => {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
};

/**
 * Reads a `file` location only where the portal's own files are: under the
 * directory `ml-platform:publish:local` copies new services to, or a file
 * location of `catalog.locations` (and what lies beside it, for the Location
 * entities such files hold). Any other path, e.g. `/proc/self/environ`, that
 * a user registers is refused before a byte of it is read, so the catalog's
 * error messages cannot quote the backend's files.
 *
 * Runs before the catalog's own file reader (priority 10, the default is 20),
 * and only when the scaffolder publishes locally, the one setup in which
 * users may register `file` locations at all.
 * @public
 */
export class FileLocationGuardProcessor implements CatalogProcessor {
  private readonly publishDirectory?: string;
  private readonly configured: string[];
  private readonly configuredDirectories: string[];

  static fromConfig(config: Config): FileLocationGuardProcessor {
    const directory = config.getOptionalString(
      'mlPlatform.scaffolder.publish.directory',
    );
    const configured = (
      config.getOptionalConfigArray('catalog.locations') ?? []
    )
      .filter(l => l.getString('type') === 'file')
      .map(l => l.getString('target'));
    return new FileLocationGuardProcessor(directory, configured);
  }

  /** Relative paths resolve against the working directory, as the catalog's do. */
  constructor(
    publishDirectory: string | undefined,
    configuredTargets: string[],
  ) {
    this.publishDirectory =
      publishDirectory && real(path.resolve(publishDirectory));
    this.configured = configuredTargets.map(t => path.resolve(t));
    this.configuredDirectories = this.configured.map(t =>
      real(baseDirectory(t)),
    );
  }

  getProcessorName(): string {
    return 'MlPlatformFileLocationGuard';
  }

  getPriority(): number {
    return 10;
  }

  async readLocation(
    location: LocationSpec,
    _optional: boolean,
    emit: CatalogProcessorEmit,
  ): Promise<boolean> {
    if (location.type !== 'file') return false;
    const target = path.resolve(location.target);
    if (this.isAllowed(target)) return false;
    emit(
      processingResult.inputError(
        location,
        `file location ${
          location.target
        } is refused: file locations are read only under ${
          this.publishDirectory ?? 'the directory'
        } of mlPlatform.scaffolder.publish.directory or where catalog.locations names them`,
      ),
    );
    return true;
  }

  private isAllowed(target: string): boolean {
    if (this.configured.includes(target)) return true;
    if (GLOB.test(target)) return false;
    const resolved = real(target);
    const roots = [...this.configuredDirectories];
    if (this.publishDirectory) roots.push(this.publishDirectory);
    return roots.some(dir => resolved !== dir && isChildPath(dir, resolved));
  }
}
