import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { catalogModuleMlPlatform } from './module';
import { RegisteredModelAnnotationProcessor } from './processor/RegisteredModelAnnotationProcessor';
import { MlModelEntityProvider } from './provider/MlModelEntityProvider';

describe('catalogModuleMlPlatform', () => {
  it('registers the annotation processor and the model entity provider', async () => {
    const addProcessor = jest.fn();
    const addEntityProvider = jest.fn();
    const createScheduledTaskRunner = jest
      .fn()
      .mockReturnValue({ run: jest.fn() });

    await startTestBackend({
      extensionPoints: [
        [
          catalogProcessingExtensionPoint,
          {
            addProcessor,
            addEntityProvider,
            addPlaceholderResolver: jest.fn(),
            setOnProcessingErrorHandler: jest.fn(),
          },
        ],
      ],
      features: [
        catalogModuleMlPlatform,
        catalogServiceMock.factory(),
        mockServices.scheduler.mock({ createScheduledTaskRunner }).factory,
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              providers: {
                mlPlatform: {
                  schedule: { frequency: 'PT10M', timeout: 'PT1M' },
                },
              },
            },
          },
        }),
      ],
    });

    expect(addProcessor).toHaveBeenCalledWith(
      expect.any(RegisteredModelAnnotationProcessor),
    );
    expect(addEntityProvider).toHaveBeenCalledWith(
      expect.any(MlModelEntityProvider),
    );
    expect(createScheduledTaskRunner).toHaveBeenCalledWith({
      frequency: { minutes: 10 },
      timeout: { minutes: 1 },
    });
  });
});
