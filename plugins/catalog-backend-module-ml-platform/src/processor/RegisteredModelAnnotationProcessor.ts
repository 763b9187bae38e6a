import { Entity } from '@backstage/catalog-model';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  processingResult,
} from '@backstage/plugin-catalog-node';
import { LocationSpec } from '@backstage/plugin-catalog-common';
import {
  ML_PLATFORM_ANNOTATIONS,
  parseRegisteredModelRef,
} from '@mlplatform/plugin-ml-platform-common';

/**
 * Rejects entities whose registered-model annotation cannot name a model, so
 * the mistake shows on the entity's page instead of as an empty model tab.
 * @public
 */
export class RegisteredModelAnnotationProcessor implements CatalogProcessor {
  getProcessorName(): string {
    return 'RegisteredModelAnnotationProcessor';
  }

  async validateEntityKind(_entity: Entity): Promise<boolean> {
    return false;
  }

  async postProcessEntity(
    entity: Entity,
    location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    const value =
      entity.metadata.annotations?.[ML_PLATFORM_ANNOTATIONS.registeredModel];
    if (value !== undefined) {
      try {
        parseRegisteredModelRef(value);
      } catch (e) {
        emit(processingResult.inputError(location, (e as Error).message));
      }
    }
    return entity;
  }
}
