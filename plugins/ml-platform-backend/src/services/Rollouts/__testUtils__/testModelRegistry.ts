import type {
  ModelVersion,
  RegisteredModel,
  SafetyVerdict,
} from '@mlplatform/plugin-ml-platform-common';
import type { ModelRegistry } from '@mlplatform/plugin-ml-platform-node';

const SAFE: SafetyVerdict = {
  safety: 'safe',
  reason: 'ONNX model',
  flavors: ['onnx'],
  source: 'bytes',
  files: [],
};

/**
 * A registry of the test's own models, each with the same ready versions,
 * through the extension point's interface. Versions are safe unless
 * `unsafeVersions` gives them a verdict.
 */
export function testModelRegistry(options: {
  id: string;
  models: string[];
  versions: string[];
  unsafeVersions?: Record<string, SafetyVerdict>;
}): ModelRegistry {
  const { id, models, versions, unsafeVersions = {} } = options;
  return {
    id,
    type: 'test',
    async listModels(): Promise<RegisteredModel[]> {
      return models.map(name => ({
        registryId: id,
        name,
        aliases: {},
        tags: {},
      }));
    },
    async listVersions(): Promise<ModelVersion[]> {
      return models.flatMap(name =>
        versions.map(version => ({
          registryId: id,
          name,
          version,
          status: 'READY',
          aliases: [],
          tags: {},
          safety: unsafeVersions[version] ?? SAFE,
          links: { registry: `http://mlflow.example.com/${name}/${version}` },
        })),
      );
    },
  };
}
