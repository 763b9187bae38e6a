import type {
  MlModelSearchDocument,
  ModelSummary,
  ModelVersion,
} from '@mlplatform/plugin-ml-platform-common';

/**
 * A model's document and one per version, newest first. The versions'
 * locations are the model's page with the version as its fragment, since
 * a search engine keys its documents by location.
 */
export function toSearchDocuments(
  model: ModelSummary,
  versions: ModelVersion[],
  page: string,
): MlModelSearchDocument[] {
  const owner = model.owner ?? '';
  const description = model.description ?? '';
  const modelDocument: MlModelSearchDocument = {
    title: model.name,
    text:
      description ||
      `Registered model in registry ${model.registryId}, no description`,
    location: page,
    kind: 'model',
    registryId: model.registryId,
    model: model.name,
    version: '',
    description,
    aliases: Object.entries(model.aliases).map(
      ([alias, version]) => `${alias} → v${version}`,
    ),
    owner,
    safety: model.safety ?? 'unknown',
    safetyReason: model.safetyReason ?? '',
  };
  return [
    modelDocument,
    ...versions.map(v => {
      const safety = v.safety?.safety ?? 'unknown';
      return {
        title: `${model.name} v${v.version}`,
        text: `Version ${v.version} of ${model.name}${
          v.aliases.length ? ` (${v.aliases.join(', ')})` : ''
        }, ${v.status}, serialization ${safety}`,
        location: `${page}#version-${v.version}`,
        kind: 'version' as const,
        registryId: model.registryId,
        model: model.name,
        version: v.version,
        // The model's document has it: on every version too, a search for
        // what the model does would list them all.
        description: '',
        aliases: v.aliases,
        owner,
        safety,
        safetyReason: v.safety?.reason ?? v.safetyError ?? '',
      };
    }),
  ];
}
