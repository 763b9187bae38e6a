import { createHash } from 'node:crypto';
import { InputError, NotAllowedError } from '@backstage/errors';
import { ML_PLATFORM_LABELS } from '@mlplatform/plugin-ml-platform-common';
import type { CheckedOwner } from '../ownership/checkOwner';
import type { Manifest } from './readManifests';

const OWNER = ML_PLATFORM_LABELS.owner;
// The apiserver's limit on a field manager's name.
const FIELD_MANAGER_MAX = 128;

/**
 * The field manager of an owner's applies, e.g.
 * `ml-platform/group:default/fraud-ml`. With one manager per owner, the
 * apiserver itself refuses an apply that would change a field another
 * owner set (a conflict), instead of treating both as the same writer.
 */
export function fieldManagerFor(owner: CheckedOwner): string {
  const manager = `ml-platform/${owner.ref}`;
  if (manager.length <= FIELD_MANAGER_MAX) return manager;
  const hash = createHash('sha256').update(owner.ref).digest('hex');
  return `${manager.slice(0, FIELD_MANAGER_MAX - 9)}-${hash.slice(0, 8)}`;
}

// Entity names are label values already (at most 63 of [A-Za-z0-9-_.]).
const ownerLabel = (owner: CheckedOwner) => owner.name;

type Metadata = {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
};

/**
 * The manifest with the owner's label (its name, for selectors) and
 * annotation (its full reference, which decides). A manifest that names
 * another owner is refused: the repository and the apply would disagree.
 */
export function stampOwner(m: Manifest, owner: CheckedOwner): Manifest {
  const metadata = m.metadata as Manifest['metadata'] & Metadata;
  const written = {
    label: metadata.labels?.[OWNER],
    annotation: metadata.annotations?.[OWNER],
  };
  if (
    (written.label !== undefined && written.label !== ownerLabel(owner)) ||
    (written.annotation !== undefined && written.annotation !== owner.ref)
  ) {
    throw new InputError(
      `${m.kind} ${m.metadata.name} names owner '${
        written.annotation ?? written.label
      }' in its ${OWNER} label or annotation, but this apply is for ${
        owner.ref
      }. Nothing was applied.`,
    );
  }
  return {
    ...m,
    metadata: {
      ...metadata,
      labels: { ...metadata.labels, [OWNER]: ownerLabel(owner) },
      annotations: { ...metadata.annotations, [OWNER]: owner.ref },
    },
  };
}

/**
 * Refuses to change an object that exists and is not the owner's: one that
 * another owner applied, or that was made outside the templates (no owner
 * annotation), e.g. another team's Service whose selector a same-named new
 * service would take over.
 */
export function checkExistingOwner(
  ref: string,
  existing: { metadata?: Metadata } | undefined,
  owner: CheckedOwner,
) {
  if (!existing) return;
  const current = existing.metadata?.annotations?.[OWNER];
  if (current === owner.ref) return;
  throw new NotAllowedError(
    current
      ? `${ref} already exists and belongs to ${current}; an apply for ${owner.ref} does not change it. Choose another name. Nothing was applied.`
      : `${ref} already exists and was not made by a template (no ${OWNER} annotation); an apply for ${owner.ref} does not change it. Choose another name. Nothing was applied.`,
  );
}
