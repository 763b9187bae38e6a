import { Entity } from '@backstage/catalog-model';
import { RegisteredModelAnnotationProcessor } from './RegisteredModelAnnotationProcessor';

const location = { type: 'file', target: '/catalog/models.yaml' };

const entity = (annotation?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'fraud-scorer',
    annotations:
      annotation === undefined
        ? {}
        : { 'ml-platform.io/registered-model': annotation },
  },
  spec: { type: 'model-service', owner: 'fraud-ml', lifecycle: 'production' },
});

describe('RegisteredModelAnnotationProcessor', () => {
  const processor = new RegisteredModelAnnotationProcessor();

  it.each(['fraud-detector', 'mlflow-eu/fraud-detector', 'Fraud Detector v2'])(
    'accepts %s',
    async value => {
      const emit = jest.fn();
      const e = entity(value);
      await expect(
        processor.postProcessEntity(e, location, emit),
      ).resolves.toBe(e);
      expect(emit).not.toHaveBeenCalled();
    },
  );

  it('leaves entities without the annotation alone', async () => {
    const emit = jest.fn();
    await processor.postProcessEntity(entity(), location, emit);
    expect(emit).not.toHaveBeenCalled();
  });

  it.each(['', 'a/b/c', 'eu/', '/model'])(
    'reports %j as an input error on the entity',
    async value => {
      const emit = jest.fn();
      await processor.postProcessEntity(entity(value), location, emit);
      expect(emit).toHaveBeenCalledWith(
        expect.objectContaining({
          type: 'error',
          location,
          error: expect.objectContaining({
            name: 'InputError',
            message: expect.stringContaining(
              "expected '<model name>' or '<registry id>/<model name>'",
            ),
          }),
        }),
      );
    },
  );
});
